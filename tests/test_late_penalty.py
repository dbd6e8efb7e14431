"""The course's late-penalty policy: nbgrader's plugin as configured in nbgrader_config.py, applied by grade-class
exactly as nbgrader's AssignLatePenalties applies it."""

from __future__ import annotations

import datetime as dt

import pytest
from classroom.grade_class import load_config
from classroom.late_penalty import DAY, PerDayLatePenalty, apply_late_penalty, plugin_from_config
from nbgrader.api import Gradebook

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

