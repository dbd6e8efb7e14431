"""The course's late-penalty policy: nbgrader's plugin as configured in nbgrader_config.py, applied by grade-class
exactly as nbgrader's AssignLatePenalties applies it."""

from __future__ import annotations

import datetime as dt

import pytest
from classroom.grading.grade_class import load_config
from classroom.grading.late_penalty import DAY, PerDayLatePenalty, apply_late_penalty, plugin_from_config
from nbgrader.api import Gradebook

from tests.adversarial.corpus_intake import TIME_CASES
from tests.conftest import ROOT


def test_nbgrader_config_selects_the_course_policy():
    plugin = plugin_from_config(load_config(ROOT))
    assert isinstance(plugin, PerDayLatePenalty)
    assert (plugin.percent_per_day, plugin.zero_after_days) == (10.0, 5)


@pytest.mark.parametrize(("seconds_late", "penalty"), [
    (0, None), (-5, None), (1, 2.0), (DAY, 2.0), (DAY + 1, 4.0), (4 * DAY, 8.0), (4 * DAY + 1, 20.0),
    (300 * DAY, 20.0),
])
def test_per_started_day_then_everything(seconds_late, penalty):
    assert PerDayLatePenalty().late_submission_penalty("s1", 20.0, seconds_late) == penalty


def test_no_score_no_penalty():
    assert PerDayLatePenalty().late_submission_penalty("s1", 0.0, 3 * DAY) is None


def test_applied_in_the_gradebook_where_nbgrader_puts_it(tmp_path):
    cfg = load_config(ROOT)
    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}", course_id="osteonecrosis") as gb:
        gb.add_assignment("ps1", duedate=dt.datetime(2026, 3, 2, 23, 59))
        gb.add_notebook("ps1", "ps1")
        gb.add_grade_cell("q1", "ps1", "ps1", max_score=10, cell_type="code")
        gb.add_solution_cell("a1", "ps1", "ps1")
        gb.add_source_cell("q1", "ps1", "ps1", cell_type="code")
        gb.add_source_cell("a1", "ps1", "ps1", cell_type="code")
        for student, when in (("late", dt.datetime(2026, 3, 4, 12, 0)), ("ontime", dt.datetime(2026, 3, 1))):
            gb.add_student(student)
            gb.add_submission("ps1", student, timestamp=when)
            grade = gb.find_grade("q1", "ps1", "ps1", student)
            grade.auto_score = 10.0
            gb.db.commit()
            got = apply_late_penalty(gb, "ps1", student, cfg)
            gb.db.commit()
            assert got == ({"ps1": 2.0} if student == "late" else {})
        assert gb.find_submission("ps1", "late").late_submission_penalty == 2.0
        assert gb.find_submission("ps1", "ontime").late_submission_penalty == 0.0



# -- issue 18: the submission time comes from what the student cannot write ---------------------------------
NB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _submission(tmp_path, stamp: str | None = None, name: str = "submitted"):
    folder = tmp_path / name / "s1" / "ps1"
    folder.mkdir(parents=True)
    (folder / "ps1.ipynb").write_text(NB)
    if stamp is not None:
        (folder / "timestamp.txt").write_text(stamp)
    return folder


def _inbound(tmp_path, stamp: str, text: str = NB):
    entry = tmp_path / "exchange" / "course" / "inbound" / f"s1+ps1+{stamp}+abcd"
    entry.mkdir(parents=True)
    (entry / "ps1.ipynb").write_text(text)
    (entry / "timestamp.txt").write_text(stamp)
    return entry


def _time(tmp_path, folder, lms=None, duedate=dt.datetime(2026, 3, 2, 23, 59)):
    from classroom.grading import late_penalty as lp

    return lp.submission_time(folder, ["ps1"], lms=lms, exchange_root=tmp_path / "exchange", course_id="course",
                              student="s1", assignment="ps1", duedate=duedate)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_a_timestamp_the_student_wrote_is_not_the_submission_time(tmp_path):
    """The exchange lets a student write timestamp.txt (and name the inbound entry) with any time: 2020 here."""
    folder = _submission(tmp_path, "2020-01-01 00:00:00.000000 UTC")
    _inbound(tmp_path, "2020-01-01 00:00:00.000000 UTC")
    _inbound(tmp_path, "2019-01-01 00:00:00.000000 UTC", text=NB.replace("[]", "[ ]")).rename(
        tmp_path / "exchange" / "course" / "inbound" / "s1+ps1+2019+other")  # other notebooks: not this one
    got = _time(tmp_path, folder)
    assert got.source == "the exchange"
    assert abs((got.at - _now()).total_seconds()) < 3600  # the entry's ctime, not 2020
    assert len(got.flags) == 1 and "timestamp.txt says 2020-01-01 00:00:00 UTC but the exchange says" in got.flags[0]


def test_a_submission_without_a_timestamp_is_flagged_not_silently_on_time(tmp_path):
    folder = _submission(tmp_path)
    got = _time(tmp_path, folder)
    assert got.source == "the collect time" and got.at is not None and got.at > dt.datetime(2026, 3, 3)
    assert any("no timestamp.txt" in f for f in got.flags)
    assert any("neither the LMS zip nor the exchange has it" in f for f in got.flags)


def test_the_lms_time_is_used_while_the_notebooks_are_the_ones_collected(tmp_path):
    from classroom.grading import late_penalty as lp

    folder = _submission(tmp_path, "2026-03-01 09:00:00.000000")
    record = (lp.notebooks_digest(folder, ["ps1"]), dt.datetime(2026, 3, 1, 9, 0))
    got = _time(tmp_path, folder, lms=record)
    assert (got.at, got.source, got.flags) == (dt.datetime(2026, 3, 1, 9, 0), "the LMS zip", [])
    (folder / "ps1.ipynb").write_text(NB.replace("[]", "[ ]"))  # changed after collection: not the LMS's time
    assert _time(tmp_path, folder, lms=record).source == "the collect time"


def test_without_a_due_date_nothing_is_flagged(tmp_path):
    got = _time(tmp_path, _submission(tmp_path), duedate=None)
    assert got.at is not None and got.flags == []


def test_the_late_policy_is_part_of_the_resume_key():
    from classroom.grading import late_penalty as lp

    cfg = load_config(ROOT)
    key = lp.policy_key(cfg)
    assert "PerDayLatePenalty" in key and lp.policy_key(load_config(ROOT)) == key
    cfg.PerDayLatePenalty.percent_per_day = 20.0
    assert lp.policy_key(cfg) != key


def test_one_warning_when_most_of_the_class_is_more_than_a_week_late(tmp_path):
    from classroom.grading import late_penalty as lp

    with Gradebook(f"sqlite:///{tmp_path / 'gb.db'}", course_id="osteonecrosis") as gb:
        gb.add_assignment("ps1", duedate=dt.datetime(2026, 3, 2, 23, 59))
        for n, when in enumerate([dt.datetime(2026, 9, 1), dt.datetime(2026, 9, 2), dt.datetime(2026, 3, 1)]):
            gb.add_student(f"s{n}")
            gb.add_submission("ps1", f"s{n}", timestamp=when)
        warning = lp.class_lateness_warning(gb, "ps1")
        assert warning.startswith("WARNING: 2 of 3 submission(s) are more than a week after the due date")
        assert "\n" not in warning
        gb.add_student("s3")
        gb.add_submission("ps1", "s3", timestamp=dt.datetime(2026, 3, 2))
        assert lp.class_lateness_warning(gb, "ps1") is None  # half is not most


@pytest.mark.parametrize("case", TIME_CASES, ids=[c.name for c in TIME_CASES])
def test_time_corpus(tmp_path, case):
    """Every case of the intake corpus's TIME_CASES: the time comes from the named trusted source (never from
    the student's timestamp.txt) and the flag says what the instructor must check."""
    folder = _submission(tmp_path, case.stamp)
    if case.inbound is not None:
        _inbound(tmp_path, case.inbound)
    got = _time(tmp_path, folder)
    assert got.source == case.source
    assert abs((got.at - _now()).total_seconds()) < 3600
    assert any(case.flag in f for f in got.flags), got.flags


def test_a_fifo_or_link_in_the_exchange_never_blocks_or_is_followed(tmp_path):
    """The inbound entry is the student's: a named pipe or a link in place of the notebook is not read."""
    import os
    import threading

    folder = _submission(tmp_path, "2026-03-01 09:00:00")
    fifo = _inbound(tmp_path, "2026-03-01 09:00:00")
    (fifo / "ps1.ipynb").unlink()
    os.mkfifo(fifo / "ps1.ipynb")
    link = tmp_path / "exchange" / "course" / "inbound" / "s1+ps1+2026-03-01+link"
    link.mkdir()
    (link / "ps1.ipynb").symlink_to(folder / "ps1.ipynb")
    got = []
    worker = threading.Thread(target=lambda: got.append(_time(tmp_path, folder)), daemon=True)
    worker.start()
    worker.join(120)
    assert got, "reading the exchange blocked on a FIFO"
    assert got[0].source == "the collect time"
