"""Webhook notifier: delivers obligation reminders (and other events) to a township's
group-chat robot or any HTTP endpoint, signed, retried, logged."""

from plugins.webhook.plugin import WebhookPlugin

plugin = WebhookPlugin()
