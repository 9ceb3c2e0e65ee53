"""Sending email: every email is queued in the outbox (`partnering.outbox`) and sent by the
background sender, so an SMTP outage loses nothing."""

from partnering.outbox.operations import Attachment, deliver_soon, queue_email

send_email = queue_email

__all__ = ["Attachment", "deliver_soon", "queue_email", "send_email"]
