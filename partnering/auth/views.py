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
from flask_login import current_user, login_required, login_user, logout_user

from partnering.auth import operations
from partnering.auth.forms import ConfirmForm, LoginForm
from partnering.auth.login_requests import request_login_link
from partnering.auth.models import Account
from partnering.extensions import login_manager
from partnering.redirects import local_path
from partnering.registrations.queries import registrations_of

bp = Blueprint("auth", __name__)


def forget_csrf_secret() -> None:
    """A new CSRF secret for the session (Flask-WTF makes one when a form next needs it): the
    tokens of forms shown before, to whoever had this browser, stop working."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)  # the token cached for this request


@login_manager.user_loader
def load_account(session_key: str) -> Account | None:
    """The account of the login session named by the session or remember cookie."""
    return operations.account_for_session(session_key)


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
            forget_csrf_secret()
            flash(f"Welcome, {account.name}.", "success")
            return redirect(local_path(request.args.get("next"), url_for("site.index")))
    return render_template("auth/confirm.html", account=account, form=ConfirmForm())


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        operations.end_login_session(current_user)
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("site.index"))


@bp.get("/account")
@login_required
def account():
    return render_template(
        "auth/account.html",
        registrations=registrations_of(current_user),
        sessions=operations.open_sessions(current_user),
        form=ConfirmForm(),
    )


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    if ConfirmForm().validate_on_submit():
        ended = operations.log_out_everywhere(current_user)
        logout_user()
        flash(
            f"You are logged out everywhere ({ended} session{'s' if ended != 1 else ''} ended).",
            "info",
        )
        return redirect(url_for("site.index"))
    flash("The form expired: try again.", "error")
    return redirect(url_for("auth.account"))
