"""Accounts, one-time login links, and the login sessions they open."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from partnering.auth.models import Account, LoginSession, new_login_nonce
from partnering.extensions import db
from partnering.input_guard import MAX_ID
from partnering.outbox.operations import queue_email
from partnering.redirects import local_path

SALT = "login-link"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> Account | None:
    return db.session.execute(
        db.select(Account).filter_by(email=normalise_email(email))
    ).scalar_one_or_none()


def get_or_create_account(email: str, name: str) -> Account:
    """The account of an email address, created when new (no commit)."""
    account = find_account(email)
    if account is None:
        account = Account(email=normalise_email(email), name=name.strip())
        db.session.add(account)
        db.session.flush()
    return account


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def login_token(account: Account) -> str:
    return _serializer().dumps({"id": account.id, "nonce": account.login_nonce})


def login_url(account: Account, next_url: str | None = None) -> str:
    """The account's login link; `next_url`, when a path of this site, is where it leads."""
    next_url = local_path(next_url, None)
    return url_for("auth.use_link", token=login_token(account), next=next_url, _external=True)


class LinkError(Exception):
    """A login link that is malformed, expired or already used."""


def account_for_token(token: str) -> Account:
    """The account a valid, unused login link belongs to."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["LOGIN_LINK_MAX_AGE"])
    except SignatureExpired:
        raise LinkError("This login link has expired. Ask for a new one below.") from None
    except BadSignature:
        raise LinkError("This login link is not valid. Ask for a new one below.") from None
    account = db.session.get(Account, data.get("id"))
    if account is None or account.login_nonce != data.get("nonce"):
        raise LinkError("This login link was already used. Ask for a new one below.")
    return account


def use_login_link(token: str) -> Account:
    """Spend a login link (it works once) and open a login session with it: the account
    returned is loaded in that session, ready for Flask-Login's login_user."""
    account = account_for_token(token)
    account.login_nonce = new_login_nonce()
    start_login_session(account)
    db.session.commit()
    return account


# --- login sessions ----------------------------------------------------------------------------

SESSION_KEY = re.compile(r"([0-9]{1,10}):([A-Za-z0-9_-]{43})")
"""A login session's key: its row id and its secret (32 random bytes, URL-safe base64)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def start_login_session(account: Account) -> str:
    """Open a login session for the account (no commit): a row holding a new secret's digest.
    The account is now loaded in it; returns its key, "<row id>:<secret>"."""
    secret = secrets.token_urlsafe(32)
    row = LoginSession(account_id=account.id, secret_hash=_digest(secret))
    db.session.add(row)
    db.session.flush()
    account.session_key = f"{row.id}:{secret}"
    return account.session_key


def account_for_session(key: object) -> Account | None:
    """The account of a login session that is still open, loaded in it; None for a key that is
    malformed, of a closed session, or has the wrong secret (compared in constant time)."""
    match = SESSION_KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None or int(match[1]) > MAX_ID:
        return None
    found = db.session.execute(
        db.select(LoginSession.secret_hash, Account)
        .join(Account, LoginSession.account_id == Account.id)
        .where(LoginSession.id == int(match[1]))
    ).first()
    if found is None or not hmac.compare_digest(found.secret_hash, _digest(match[2])):
        return None
    account = found.Account
    account.session_key = key
    return account


def _session_id(account: Account) -> int | None:
    match = SESSION_KEY.fullmatch(account.session_key or "")
    return int(match[1]) if match else None


def end_login_session(account: Account) -> None:
    """Log out: the session the account is loaded in ends, with every copy of its cookies."""
    session_id = _session_id(account)
    if session_id is not None:
        db.session.execute(
            db.delete(LoginSession).where(
                LoginSession.id == session_id, LoginSession.account_id == account.id
            )
        )
    db.session.commit()


def end_all_login_sessions(account: Account) -> int:
    """Log the account out everywhere (no commit); returns how many sessions ended."""
    ended = db.session.execute(
        db.delete(LoginSession).where(LoginSession.account_id == account.id)
    ).rowcount
    db.session.expire(account, ["login_sessions"])
    return ended


def log_out_everywhere(account: Account) -> int:
    """Every login session of the account ends, this browser's too; returns how many."""
    ended = end_all_login_sessions(account)
    db.session.commit()
    return ended


@dataclass(frozen=True)
class OpenSessions:
    count: int
    since: datetime | None
    """When the oldest of them began."""


def open_sessions(account: Account) -> OpenSessions:
    count, since = db.session.execute(
        db.select(db.func.count(LoginSession.id), db.func.min(LoginSession.created_at)).where(
            LoginSession.account_id == account.id
        )
    ).one()
    return OpenSessions(count, since)


def send_login_link(email: str, next_url: str | None = None) -> bool:
    """Email a login link when the address has an account; says whether it did."""
    account = find_account(email)
    if account is None:
        return False
    link = login_url(account, next_url)
    queue_email(
        account.email,
        "Your login link",
        f"Hello {account.name},\n\nUse this link to log in (it works once, for 24 hours):\n"
        f"{link}\n\nIf you did not ask for it, ignore this email.\n",
        kind="login",
    )
    db.session.commit()
    return True
