"""Accounts and one-time login links."""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from partnering.auth.models import Account, new_login_nonce
from partnering.extensions import db
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
    """Spend a login link: it works once."""
    account = account_for_token(token)
    account.login_nonce = new_login_nonce()
    db.session.commit()
    return account


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
