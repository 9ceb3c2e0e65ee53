"""The days before the request deadline at a BIO-size event, as locust users.

Participants log in with a login link, browse and search the directory, open profiles, send
requests and accept the ones they received (real POSTs with the form's CSRF token), read their
meetings and agenda and fetch their calendar (.ics download and subscription feed); an organiser
pages through the schedule grid. Run by benchmarks/load/run.py, which sets:

  LOAD_PLAN   the plan written by prepare.py (event, login links, feed links)
  LOAD_RATE   target user actions per second for the whole run (each action is 1-2 requests)
  LOAD_USERS  simulated users in the run, to spread LOAD_RATE over
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re

from locust import FastHttpUser, constant_throughput, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
SLUG = PLAN["slug"]
FIRST_ID, LAST_ID = PLAN["participant_ids"]
# Each simulated user takes the next unused login link: a link works once.
PARTICIPANTS = iter(PLAN["participants"])
ORGANISERS = iter(PLAN["organisers"])
PER_USER_RATE = float(os.environ["LOAD_RATE"]) / int(os.environ["LOAD_USERS"])
NAMES = itertools.count()

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ACCEPT = re.compile(r'action="(/e/[^"]+/meetings/requests/\d+/accept)"')
GRID_PAGES = re.compile(r"Tables page \d+ of (\d+)")
GRID_DAYS = re.compile(r'<option value="(\d{4}-\d\d-\d\d)"')


def csrf_token(body: str) -> str | None:
    found = CSRF.search(body)
    return html.unescape(found.group(1)) if found else None


class Visitor(FastHttpUser):
    abstract = True
    wait_time = constant_throughput(PER_USER_RATE)

    def log_in(self, link: str) -> None:
        with self.client.get(link, name="login", catch_response=True) as page:
            token = csrf_token(page.text or "")
            if token is None:
                page.failure("no login form (link already used?)")
                return
        self.post(link, "login", {"csrf_token": token})

    def post(self, path: str, name: str, data: dict) -> None:
        """A form POST: the app answers with a redirect (303/302) when it took it."""
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in (302, 303):
                response.failure(f"{name}: HTTP {response.status_code}")


class Participant(Visitor):
    weight = 20

    def on_start(self) -> None:
        me = next(PARTICIPANTS)
        self.feed = me["feed"]
        self.log_in(me["login"])

    def random_person(self) -> int:
        return random.randint(FIRST_ID, LAST_ID)

    @task(4)
    def browse_directory(self) -> None:
        page = random.randint(1, 700)
        self.client.get(f"/e/{SLUG}/people?page={page}", name="directory")

    @task(3)
    def search_directory(self) -> None:
        word = random.choice(PLAN["search_words"])
        kind = random.choice(["", "", "sme", "pharma", "investor"])
        self.client.get(f"/e/{SLUG}/people?q={word}&kind={kind}", name="directory search")

    @task(4)
    def view_profile(self) -> None:
        with self.client.get(
            f"/e/{SLUG}/people/{self.random_person()}", name="profile", catch_response=True
        ) as page:
            if page.status_code == 404:
                page.success()  # an organiser or someone hiding their profile: a fair answer

    @task(1)
    def send_request(self) -> None:
        path = f"/e/{SLUG}/meetings/request/{self.random_person()}"
        with self.client.get(path, name="request form", catch_response=True) as page:
            if page.status_code == 404:
                page.success()
                return
            token = csrf_token(page.text or "")
            if token is None or "Send request" not in (page.text or ""):
                return  # the page says why no request can be sent (a limit, one pending)
        message = f"Interested in your pipeline ({next(NAMES)})."
        self.post(path, "send request", {"csrf_token": token, "priority": "1", "message": message})

    @task(2)
    def my_meetings(self) -> None:
        page = self.client.get(f"/e/{SLUG}/meetings/", name="my meetings")
        accept = ACCEPT.search(page.text or "")
        token = csrf_token(page.text or "")
        if accept and token and random.random() < 0.5:
            self.post(html.unescape(accept.group(1)), "accept request", {"csrf_token": token})

    @task(3)
    def agenda(self) -> None:
        self.client.get(f"/e/{SLUG}/agenda/", name="agenda")

    @task(1)
    def download_ics(self) -> None:
        self.client.get(f"/e/{SLUG}/agenda/agenda.ics", name="agenda .ics")

    @task(1)
    def calendar_feed(self) -> None:
        self.client.get(self.feed, name="calendar feed")


class Organiser(Visitor):
    fixed_count = 1

    def on_start(self) -> None:
        self.log_in(next(ORGANISERS)["login"])
        self.pages, self.days = 1, [""]

    @task
    def grid(self) -> None:
        day, page = random.choice(self.days), random.randint(1, self.pages)
        response = self.client.get(
            f"/e/{SLUG}/schedule/grid?day={day}&page={page}", name="schedule grid"
        )
        body = response.text or ""
        if found := GRID_PAGES.search(body):
            self.pages = int(found.group(1))
        self.days = GRID_DAYS.findall(body) or self.days
