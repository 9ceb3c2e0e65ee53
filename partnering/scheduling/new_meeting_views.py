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
from partnering.scheduling.name_search import approved_by_name


def _people_choices(form) -> None:
    form.people.choices = [
        (p.id, p.name + (f" ({p.organisation.name})" if p.organisation else ""))
        for p in approved_by_name(g.event)
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


@bp.route("/new-meeting")
@organiser_required
def new_meeting():
    """Step 1: choose the people; step 2 (the same page): their common free times."""
    chooser = PeopleForm(formdata=request.args if request.args else None)
    _people_choices(chooser)
    arrange = None
    free = []
    people = _chosen(request.args.getlist("people"))
    if request.args and chooser.validate():
        if len(people) < 2:
            chooser.people.errors = ["Choose at least two different participants."]
        else:
            arrange = ArrangeForm(formdata=None, data={"people": [p.id for p in people]})
            _people_choices(arrange)
            free = _place_choices(arrange, people)
    return render_template(
        "scheduling/new_meeting.html", chooser=chooser, arrange=arrange, free=free
    )


@bp.route("/new-meeting", methods=["POST"])
@organiser_required
def arrange_meeting():
    form = ArrangeForm()
    _people_choices(form)
    people = _chosen(request.form.getlist("people"))
    free = _place_choices(form, people)
    if form.validate_on_submit():
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
    chooser = PeopleForm(formdata=None, data={"people": [p.id for p in people]})
    _people_choices(chooser)
    return render_template(
        "scheduling/new_meeting.html", chooser=chooser, arrange=form, free=free
    ), 400
