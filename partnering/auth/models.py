"""Accounts: one per email address, shared by all the events a person takes part in."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from partnering.db_types import UTCDateTime, utcnow
from partnering.extensions import db


def new_login_nonce() -> str:
    return secrets.token_urlsafe(16)


class Account(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    """Site administrators may create events."""
    login_nonce: Mapped[str] = mapped_column(String(32), default=new_login_nonce)
    """Part of every login link; replaced when a link is used, so each link works once."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Account {self.email}>"
