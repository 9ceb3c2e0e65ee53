from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from partnering.auth import operations
from partnering.auth.forms import ConfirmForm, LoginForm
from partnering.auth.login_requests import request_login_link
from partnering.auth.models import Account
from partnering.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    return db.session.get(Account, int(account_id))


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a login link cannot send anyone elsewhere."""
    if target and urlsplit(target).netloc == "" and target.startswith("/"):
        return target
    return url_for("site.index")


LINK_ON_ITS_WAY = (
    "Check your inbox: we are emailing that address a login link (or, if it has no account, "
    "how to register)."
)
"""The answer for every address, whether it has an account or not."""


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        request_login_link(form.email.data, request.args.get("next"))
        flash(LINK_ON_ITS_WAY, "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/<token>", methods=["GET", "POST"])
def use_link(token: str):
    try:
        account = operations.account_for_token(token)
    except operations.LinkError as exc:
        flash(str(exc), "error")
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        # A GET only shows the button: mail scanners that open links must not spend them.
        if ConfirmForm().validate_on_submit():
            login_user(operations.use_login_link(token), remember=True)
            flash(f"Welcome, {account.name}.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/confirm.html", account=account, form=ConfirmForm())


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("site.index"))
