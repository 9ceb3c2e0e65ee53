"""Accounts: one per email address, shared by all the events a person takes part in; and
their login sessions, one per login."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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

    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )

    # The login session ("<row id>:<secret>") this account was loaded in or logged in with;
    # not a column. Flask-Login keeps it in the session and the remember cookie instead of the
    # account's id, so ending the session row ends those cookies, wherever they were copied.
    session_key = None

    def get_id(self) -> str:
        if self.session_key is None:
            raise LookupError("An account is logged in through a login session only.")
        return self.session_key

    def __eq__(self, other: object) -> bool:
        # UserMixin compares get_id(): the same account is the same person in any session.
        if isinstance(other, Account):
            return self.id == other.id
        return NotImplemented

    __hash__ = UserMixin.__hash__

    def __repr__(self) -> str:
        return f"<Account {self.email}>"


class LoginSession(db.Model):
    """One login of one account (a browser that used a login link). Its secret is kept only as
    a SHA-256 digest: the database alone does not let anybody in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[Account] = relationship(back_populates="login_sessions")
