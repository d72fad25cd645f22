"""E-mail notifier: delivers obligation reminders (and other events) to a township's
mailboxes over SMTP, as plain UTF-8 text, retried with back-off and logged."""

from zerenzhi.plugins.email.plugin import EmailPlugin

plugin = EmailPlugin()
