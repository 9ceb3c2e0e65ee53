"""A refused form, as a screen reader gets it: every field with an error says so
(aria-invalid="true") and points with aria-describedby at its hint and its error, which are on
the page next to it; every error shown belongs to such a field; fields without an error say
nothing of errors. Radio buttons and checkbox lists sit in a fieldset named by a legend."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.partnering.registrations.test_register import FORM


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, the text inside it and its ancestors."""

    VOID = {"input", "br", "meta", "link", "img", "hr", "option", "source"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.all: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": "", "parents": list(self._open)}
        self.all.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def by_id(self, id_: str) -> dict | None:
        return next((e for e in self.all if e["attrs"].get("id") == id_), None)

    def fields(self) -> list[dict]:
        return [
            e
            for e in self.all
            if e["tag"] in ("input", "select", "textarea")
            and e["attrs"].get("type") not in ("hidden", "submit")
        ]


def assert_errors_are_tied_to_their_fields(html: str) -> list[dict]:
    page = Elements(html)
    invalid = [f for f in page.fields() if f["attrs"].get("aria-invalid") == "true"]
    assert invalid, "no field says it is invalid"
    named_errors = set()
    for field in invalid:
        ids = field["attrs"].get("aria-describedby", "").split()
        assert ids and ids[-1].endswith("-errors"), field["attrs"]
        for id_ in ids:
            described = page.by_id(id_)
            assert described is not None and described["text"].strip(), (field["attrs"], id_)
        named_errors.add(ids[-1])
    for field in page.fields():
        if field["attrs"].get("aria-invalid") != "true":
            assert "-errors" not in field["attrs"].get("aria-describedby", ""), field["attrs"]
    shown = [e for e in page.all if e["tag"] == "small" and "error" in e["attrs"].get("class", "")]
    assert shown
    for error in shown:
        holders = {p["attrs"].get("id") for p in error["parents"]}
        assert holders & named_errors, f"an error no field points at: {error['text']!r}"
    return invalid


def group_of(field: dict) -> str | None:
    """The legend of the nearest fieldset around a field."""
    for parent in reversed(field["parents"]):
        if parent["tag"] == "fieldset":
            return parent.get("legend")
    return None


class WithLegends(Elements):
    def handle_endtag(self, tag):
        if tag == "legend":
            legend = next(e for e in reversed(self._open) if e["tag"] == "legend")
            fieldset = next(e for e in reversed(self._open) if e["tag"] == "fieldset")
            fieldset["legend"] = legend["text"].strip()
        super().handle_endtag(tag)


def test_a_refused_registration_ties_each_error_to_its_field(client, create_event):
    create_event()
    data = dict(FORM, name="", email="not-an-email", organisation_type="", consent="")
    page = client.post("/e/osaka/register", data=data)
    assert page.status_code == 200
    invalid = assert_errors_are_tied_to_their_fields(page.get_data(as_text=True))
    names = {f["attrs"]["name"] for f in invalid}
    assert names == {"email", "name", "organisation_type", "consent"}, names
    email = next(f for f in invalid if f["attrs"]["name"] == "email")
    assert email["attrs"]["aria-describedby"] == "email-hint email-errors"


def test_a_refused_meeting_request_ties_its_errors_and_names_its_groups(
    client, auth, create_event, create_participant
):
    event = create_event()
    me, other = create_participant(event), create_participant(event)
    auth.login(me)
    page = client.post(f"/e/osaka/meetings/request/{other.id}", data={"priority": "7"})
    html = page.get_data(as_text=True)
    invalid = assert_errors_are_tied_to_their_fields(html)
    assert {f["attrs"]["name"] for f in invalid} == {"priority", "message"}
    radios = [f for f in WithLegends(html).fields() if f["attrs"].get("type") == "radio"]
    assert len(radios) == 2
    assert {group_of(r) for r in radios} == {"How much do you want this meeting?"}


def test_topics_are_a_named_group_and_a_clean_form_says_nothing_of_errors(client, create_event):
    create_event(topics_text="Oncology\nVaccines")
    html = client.get("/e/osaka/register").get_data(as_text=True)
    page = WithLegends(html)
    topics = [f for f in page.fields() if f["attrs"].get("name") == "topics"]
    assert len(topics) == 2 and {group_of(t) for t in topics} == {"Topics"}
    assert not [f for f in page.fields() if "aria-invalid" in f["attrs"]]
    email = next(f for f in page.fields() if f["attrs"].get("name") == "email")
    assert email["attrs"]["aria-describedby"] == "email-hint"
    assert page.by_id("email-hint")["text"].strip()
