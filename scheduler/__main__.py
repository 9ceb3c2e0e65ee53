"""python -m scheduler solve | check | generate | convert | bench (see scheduler.cli)."""

from scheduler.cli import main

raise SystemExit(main())
