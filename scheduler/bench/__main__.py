"""`python -m scheduler.bench`, the same as `python -m scheduler bench`."""

import sys

from scheduler.bench.command import main

sys.exit(main())
