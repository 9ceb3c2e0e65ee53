"""`read_dzn` against the published instance files and against malformed snippets.

The instance files are research data kept outside the repository; tests that need them are
skipped, saying so, when `$PARTNERING_B2B_DIR` (or the default folder) does not hold them.
"""

import re
from pathlib import Path

import pytest

from scheduler import FormatError
from scheduler.b2b import PAPER_OPTIMA, instance_dir, read_dzn
from tests.scheduler.jair_data import needs_jair

INSTANCES = sorted(instance_dir().glob("*.dzn"))
needs_instances = needs_jair()


def header(text: str, name: str) -> int:
    return int(re.search(rf"\b{name}\s*=\s*(\d+)\s*;", text).group(1))


def int_list(text: str, name: str) -> list[int]:
    body = re.search(rf"\b{name}\s*=\s*\[([^\]]*)\]", text).group(1)
    return [int(x) for x in re.findall(r"\d+", body)]


@needs_instances
def test_every_original_instance_of_the_paper_is_present():
    stems = {p.name.removesuffix(".original.dzn") for p in INSTANCES}
    assert set(PAPER_OPTIMA) <= stems


@needs_instances
@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.name)
def test_counts_match_the_file(path: Path):
    text = path.read_text()
    problem = read_dzn(path)
    assert problem.name == path.name.removesuffix(".dzn")
    assert len(problem.participants) == header(text, "nBusiness")
    assert len(problem.meetings) == header(text, "nMeetings")
    assert len(problem.tables) == header(text, "nTables")
    assert len(problem.slots) == header(text, "nTotalSlots")
    # nMeetingsBusiness is redundant in the file, so it checks the meetings read independently.
    per_person = int_list(text, "nMeetingsBusiness")
    assert [len(problem.meetings_of[p.id]) for p in problem.participants] == per_person


@needs_instances
@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.name)
def test_slots_are_one_day_back_to_back(path: Path):
    problem = read_dzn(path)
    assert len(problem.days) == 1
    for before, after in zip(problem.slots, problem.slots[1:], strict=False):
        assert before.end == after.start


@needs_instances
def test_fields_of_one_instance():
    problem = read_dzn(instance_dir() / "forum-13.original.dzn")
    slots = [s.id for s in problem.slots]
    morning, afternoon = frozenset(slots[:13]), frozenset(slots[13:])
    # First rows of `requested`; `forbidden` of participant 3 is {0,17}, 0 being a placeholder.
    first = problem.meeting_by_id["m1"]
    assert first.participants == ("b1", "b2") and first.priority == 1 and first.fixed is None
    sessions = {m.allowed_slots for m in problem.meetings}
    assert sessions == {None, morning, afternoon}
    assert problem.participant_by_id["b3"].available == frozenset(slots) - {"s17"}
    assert problem.participant_by_id["b1"].available == frozenset(slots)


VALID = """\
nBusiness = 3;
nMeetings = 2;
nTables = 1;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2, 1,
|2, 3, 3
|];
meetingsxBusiness = [{1},{1,2},{2}];
nMeetingsBusiness = [1,2,1];
forbidden = [{0},{0,4},{}];
fixed = [0,3];
precedences = [{},{},{}];
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.dzn"
    path.write_text(text)
    return path


def test_small_file_reads_sessions_forbidden_and_fixed(tmp_path):
    problem = read_dzn(write(tmp_path, VALID))
    m1, m2 = problem.meetings
    assert m1.allowed_slots == {"s1", "s2"}
    assert m2.allowed_slots is None
    assert m2.fixed.slot == "s3" and m2.fixed.table is None
    assert problem.participant_by_id["b2"].available == {"s1", "s2", "s3"}
    assert problem.possible_slots(m1) == ["s1", "s2"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("nTables = 1;", ""), "missing 'nTables'"),
        (("nTables = 1;", "nTables = x;"), "'nTables' must be an integer"),
        (("|2, 3, 3", "|2, 3"), "'requested' row 2"),
        (("|2, 3, 3", "|2, 9, 3"), "unknown participant 9"),
        (("|2, 3, 3", "|2, 2, 3"), "participant 2 twice"),
        (("|2, 3, 3", "|2, 3, 5"), "session must be 1, 2 or 3"),
        (("fixed = [0,3];", "fixed = [0];"), "'fixed' has 1 entries"),
        (("fixed = [0,3];", "fixed = [0,7];"), "unknown slot 7"),
        (("{0,4}", "{0,9}"), "forbids unknown slot 9"),
        (("forbidden = [{0},{0,4},{}];", "forbidden = [{0},{0,4}];"), "'forbidden' has 2"),
        (("nMeetings = 2;", "nMeetings = 2"), "'nMeetings' must be an integer"),
        (("precedences = [{},{},{}];", "precedences = [{},{},{}]; junk"), "cannot parse"),
    ],
)
def test_malformed_file_is_a_format_error(tmp_path, change, message):
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(FormatError, match=re.escape(message)) as raised:
        read_dzn(path)
    assert str(path) in str(raised.value)


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot read"):
        read_dzn(tmp_path / "absent.dzn")
