"""Content lines are folded exactly as icalendar folds them (its own walk over every character
is what the agenda emails no longer pay for), whatever the line holds."""

import random

import pytest
from icalendar.parser.string import _foldline

from partnering.agenda.ical import fold

ALPHABET = 'ab \\^;,:"é日😀' + "x" * 10


def test_folding_matches_icalendar_on_lines_of_every_length_and_alphabet():
    rng = random.Random(14)
    for length in list(range(0, 200)) + [rng.randrange(200, 3000) for _ in range(50)]:
        for _ in range(5):
            line = "".join(rng.choice(ALPHABET) for _ in range(length))
            assert fold(line) == _foldline(line), line


@pytest.mark.parametrize("position", range(70, 80))
def test_an_escape_at_the_fold_moves_to_the_next_line_as_icalendar_does(position):
    for escape in ("\\,", "^n", "é\\;"):
        line = "D" * position + escape + "E" * 100
        assert fold(line) == _foldline(line)


def test_every_folded_line_is_at_most_75_octets():
    line = "DESCRIPTION:" + "日本語のメッセージ\\n" * 40 + "😀" * 30
    assert all(len(part.encode()) <= 75 for part in fold(line).split("\r\n"))


def test_a_line_break_in_a_content_line_is_refused():
    with pytest.raises(ValueError):
        fold("SUMMARY:two\nlines")
