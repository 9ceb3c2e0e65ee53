from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from partnering.auth import operations
from partnering.auth.forms import ConfirmForm, LoginForm
from partnering.auth.models import Account
from partnering.extensions import db, login_manager
from partnering.redirects import local_path

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    return db.session.get(Account, int(account_id))


def forget_csrf_secret() -> None:
    """A new CSRF secret for the session (Flask-WTF makes one when a form next needs it): the
    tokens of forms shown before, to whoever had this browser, stop working."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)  # the token cached for this request


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        operations.send_login_link(form.email.data, request.args.get("next"))
        flash(
            "If that address is registered, a login link is on its way. Check your inbox.",
            "success",
        )
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
            forget_csrf_secret()
            flash(f"Welcome, {account.name}.", "success")
            return redirect(local_path(request.args.get("next"), url_for("site.index")))
    return render_template("auth/confirm.html", account=account, form=ConfirmForm())


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("site.index"))
