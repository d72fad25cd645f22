"""Webhook notifier: delivers obligation reminders (and other events) to a township's
group-chat robot or any HTTP endpoint, signed, retried, logged."""

from zerenzhi.plugins.webhook.plugin import WebhookPlugin

plugin = WebhookPlugin()
