"""Load test at BIO size, in one command: `.venv/bin/python benchmarks/load/run.py`.

Creates a fresh PostgreSQL database, generates the `bio` event (18,000 participants, 45,000
agreed meetings) and places what the first-come baseline can place, imports it, prepares the
days before the request deadline (prepare.py), serves the app with gunicorn on a free loopback
port, runs locust headless at increasing rates (locustfile.py), writes the figures per step
(summary.md and locust's CSV files in --out), then stops gunicorn and drops the database.
Every step is bounded in users, rate and duration; the whole run stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import psycopg

from scheduler.generate import bio
from scheduler.greedy import greedy
from scheduler.problem import Fixed
from scheduler.problem_json import dump_json, problem_to_dict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
SLUG = "bio"
P95_LIMIT_MS = 200
KINDS = [
    "directory",
    "directory search",
    "profile",
    "request form",
    "send request",
    "my meetings",
    "accept request",
    "agenda",
    "agenda .ics",
    "calendar feed",
    "schedule grid",
    "login",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def placed_problem(seed: int, path: Path) -> None:
    """The bio event with every meeting the first-come baseline places arriving as fixed: the
    agendas, calendars and grid then show a full schedule without a solver run."""
    problem = bio(seed)
    placed = greedy(problem).assignment_of
    # Fixed meetings first: the import inserts rows of one shape in large batches, and a file
    # that alternates placed and unplaced meetings takes it minutes instead of seconds.
    meetings = tuple(
        [
            replace(m, fixed=Fixed(placed[m.id].slot, placed[m.id].table))
            for m in problem.meetings
            if m.id in placed
        ]
        + [m for m in problem.meetings if m.id not in placed]
    )
    path.write_text(dump_json(problem_to_dict(replace(problem, meetings=meetings))))
    log(f"Generated the event: {len(placed)} of {len(meetings)} meetings placed")


def flask(env: dict, *args: str, timeout: float) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "partnering", *args], env=env, check=True, timeout=timeout
    )


def wait_until_up(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer {url} within {timeout:.0f} s")


def run_step(
    env: dict, host: str, plan: Path, rate: float, users: int, seconds: int, out: Path
) -> Path:
    prefix = out / f"rate-{rate:g}"
    step_env = {**env, "LOAD_PLAN": str(plan), "LOAD_RATE": str(rate), "LOAD_USERS": str(users)}
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=step_env,
        timeout=seconds + 60,
        check=False,  # locust exits 1 when any request failed: the figures say so
    )
    return Path(f"{prefix}_stats.csv")


def read_stats(path: Path) -> dict[str, dict]:
    with path.open() as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def step_lines(rate: float, stats: dict[str, dict]) -> tuple[str, bool, list[str]]:
    total = stats["Aggregated"]
    errors = int(total["Failure Count"])
    p95 = float(total["95%"])
    held = errors == 0 and p95 < P95_LIMIT_MS
    head = (
        f"| {rate:g} | {float(total['Requests/s']):.1f} | {total['Request Count']} | {errors} "
        f"| {total['50%']} | {total['95%']} | {total['99%']} | {'yes' if held else 'no'} |"
    )
    rows = [
        f"| {rate:g} | {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} "
        f"| {row['95%']} | {row['99%']} |"
        for name in KINDS
        if (row := stats.get(name))
    ]
    return head, held, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates",
        default="5,10,20,40",
        help="user actions per second, one step each (default: 5,10,20,40)",
    )
    parser.add_argument("--seconds", type=int, default=60, help="length of each step")
    parser.add_argument("--users", type=int, default=40, help="simulated users per step")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]
    if args.users > 200 or max(rates) > 500 or args.seconds > 300:
        parser.error("bounded run: at most 200 users, 500 actions/s and 300 s per step")
    args.out.mkdir(parents=True, exist_ok=True)

    name = f"partnering_load_{os.getpid()}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    log(f"Created database {name}")
    server = None
    started = time.monotonic()
    try:
        base = args.database.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        port = free_port()
        env = {
            **os.environ,
            "PARTNERING_SQLALCHEMY_DATABASE_URI": f"{base}/{name}",
            "PARTNERING_SECRET_KEY": secrets.token_hex(16),
            "PARTNERING_PUBLIC_URL": f"http://127.0.0.1:{port}",
        }
        env.pop("PARTNERING_HUEY_URL", None)  # jobs queue in the same, throw-away database
        flask(env, "init-db", timeout=120)
        with tempfile.TemporaryDirectory() as tmp:
            problem = Path(tmp) / "bio.json"
            placed_problem(args.seed, problem)
            t = time.monotonic()
            flask(env, "event", "import", str(problem), "--slug", SLUG, timeout=300)
            log(f"Imported in {time.monotonic() - t:.0f} s")
        plan = args.out / "plan.json"
        subprocess.run(
            [
                sys.executable,
                str(HERE / "prepare.py"),
                "--slug",
                SLUG,
                "--participants",
                str(args.users * len(rates)),
                "--organisers",
                str(len(rates)),
                "--seed",
                str(args.seed),
                "--out",
                str(plan),
            ],
            env=env,
            check=True,
            timeout=300,
        )
        server_log = (args.out / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [
                str(BIN / "flask"),
                "--app",
                "partnering",
                "serve-production",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        host = f"http://127.0.0.1:{port}"
        wait_until_up(f"{host}/e/{SLUG}/", timeout=60)
        log(f"gunicorn: {args.workers} workers on {host}")

        # Each step gets its own users and login links, taken in turn from the plan.
        doc = json.loads(plan.read_text())
        heads, details, held_rates = [], [], []
        for i, rate in enumerate(rates):
            step_plan = args.out / f"plan-{i}.json"
            step_plan.write_text(
                json.dumps(
                    {
                        **doc,
                        "participants": doc["participants"][i * args.users : (i + 1) * args.users],
                        "organisers": doc["organisers"][i : i + 1],
                    }
                )
            )
            log(f"Step {i + 1}/{len(rates)}: {rate:g} actions/s, {args.users} users")
            stats = read_stats(
                run_step(env, host, step_plan, rate, args.users, args.seconds, args.out)
            )
            head, held, rows = step_lines(rate, stats)
            heads.append(head)
            details.extend(rows)
            if held:
                held_rates.append(rate)
            log(head)
        summary = "\n".join(
            [
                f"Load test at BIO size: {args.users} users per step, {args.seconds} s per "
                f"step, {args.workers} gunicorn workers, PostgreSQL, {os.cpu_count()} cores.",
                "",
                "| target actions/s | requests/s | requests | errors | p50 ms | p95 ms "
                "| p99 ms | held |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
                *heads,
                "",
                f"Held (p95 < {P95_LIMIT_MS} ms, no error): "
                + (", ".join(f"{r:g}" for r in held_rates) or "none")
                + " actions/s.",
                "",
                "| target actions/s | request | count | errors | p50 ms | p95 ms | p99 ms |",
                "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
                *details,
                "",
            ]
        )
        (args.out / "summary.md").write_text(summary)
        print(summary)
        log(f"Done in {time.monotonic() - started:.0f} s; figures in {args.out / 'summary.md'}")
        return 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        log(f"Stopped the server and dropped {name}")


if __name__ == "__main__":
    sys.exit(main())
