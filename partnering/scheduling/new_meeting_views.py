"""Meetings the organiser arranges between two or more participants."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from partnering.access import organiser_required
from partnering.events.queries import slot_or_404, table_or_404
from partnering.input_guard import ids_from
from partnering.registrations.queries import participants_or_404
from partnering.scheduling import operations
from partnering.scheduling.blueprint import REFUSALS, bp
from partnering.scheduling.forms import ArrangeForm, PeopleForm
from partnering.scheduling.free_places import common_free_places
from partnering.scheduling.name_search import pick_participant


def _labelled(people: list) -> list[tuple[int, str]]:
    return [
        (p.id, p.name + (f" ({p.organisation.name})" if p.organisation else "")) for p in people
    ]


def _place_choices(form: ArrangeForm, people: list) -> list:
    free = common_free_places(g.event, people)
    form.place.choices = {
        g.event.local(f.slot.start).strftime("%a %d %b %H:%M"): [
            (f"{f.slot.id}-{t.id}", f"{g.event.local(f.slot.start):%a %d %b %H:%M}, {t.name}")
            for t in f.tables
        ]
        for f in free
    }
    return free


def _chosen(values: list[str]) -> list:
    """The participants named, in order, once each; 404 when one is not of this event."""
    return participants_or_404(g.event, ids_from(values))


def _refusal(people: list) -> str | None:
    """Why these people cannot be given a meeting together, before looking for a time."""
    unapproved = [p.name for p in people if not p.is_approved]
    if unapproved:
        return f"Only approved participants can meet; not approved: {', '.join(unapproved)}."
    if len(people) < 2:
        return "Choose at least two different participants."
    return None


@bp.route("/new-meeting")
@organiser_required
def new_meeting():
    """Step 1: choose the people, one name search at a time; step 2 (the same page): their
    common free times. The page never lists every participant: a convention has thousands."""
    people = _chosen(request.args.getlist("people"))
    chooser = PeopleForm(formdata=request.args if "who" in request.args else None)
    pick = pick_participant(g.event, None, "")
    if chooser.who.data and chooser.validate():
        pick = pick_participant(g.event, None, chooser.who.data)
        if pick.chosen is not None:
            if pick.chosen not in people:
                people.append(pick.chosen)
            chooser = PeopleForm(formdata=None)
    arrange = None
    free = []
    refusal = _refusal(people)
    if refusal is None:
        arrange = ArrangeForm(formdata=None, data={"people": [p.id for p in people]})
        arrange.people.choices = _labelled(people)
        free = _place_choices(arrange, people)
    elif len(people) >= 2:
        chooser.who.errors = [refusal]
    return render_template(
        "scheduling/new_meeting.html",
        chooser=chooser,
        people=_labelled(people),
        pick=pick,
        refusal=refusal,
        arrange=arrange,
        free=free,
    )


@bp.route("/new-meeting", methods=["POST"])
@organiser_required
def arrange_meeting():
    people = _chosen(request.form.getlist("people"))
    form = ArrangeForm()
    form.people.choices = _labelled(people)
    refusal = _refusal(people)
    free = _place_choices(form, people) if refusal is None else []
    if refusal is None and form.validate_on_submit():
        slot_id, table_id = form.place_ids()
        slot, table = slot_or_404(g.event, slot_id), table_or_404(g.event, table_id)
        try:
            meeting = operations.arrange_meeting(g.event, people, slot, table)
        except REFUSALS as refused:
            form.place.errors = [str(refused)]
        else:
            flash(
                f"Meeting {meeting.ref} is placed and locked; its participants are told by "
                "email. It is published with the next publication.",
                "success",
            )
            return redirect(url_for(".meeting", meeting_id=meeting.id))
    elif form.place.errors and form.place.data:
        form.place.errors = ["That time or table is no longer free for them: choose another."]
    return render_template(
        "scheduling/new_meeting.html",
        chooser=PeopleForm(formdata=None),
        people=_labelled(people),
        pick=pick_participant(g.event, None, ""),
        refusal=refusal,
        arrange=form if refusal is None else None,
        free=free,
    ), 400
