"""ps3_management's sealed checks agree with its hidden tests (issue 19), for every student value tried.

Each autograded test cell runs in-process (``exec`` on a namespace holding the student's answer) twice: the
released student cell (visible checks and the real seal of ``assignments/``: what Validate runs) and the
solution's cell (visible checks and hidden tests: what grading scores). A value passes Validate exactly when it
earns the cell's points: no wrong answer passes Validate, and no answer graded right fails it. Values are drawn by
hypothesis around each key (near misses, other types, other spellings) besides the ones listed.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
from typing import Any

import nbformat
import pytest
from classroom.authoring.assignment_model import ROOT
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from osteonecrosis.staging import STAGES

ASSIGNMENT = "ps3_management"
STUDENT = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
MENU = ["aaoms2022-at-risk", "aaoms2022-nonoperative", "aaoms2022-nonoperative-2", "aaoms2022-nonoperative-3",
        "aaoms2022-stage0", "aaoms2022-stage12-either", "aaoms2022-stage2-either", "aaoms2022-stage3-resection",
        "not-mronj-metastasis", "not-mronj-no-drug", "not-mronj-radiotherapy", "not-mronj-short"]
Q4_IDS = ["hbo-marx-prophylaxis", "hbo-freiberger2012-rct", "hbo-dahanca21"]
# Slow tier: each value of a test costs one slow hash (PBKDF2, ~10-80 ms) besides two cells run in-process.
pytestmark = pytest.mark.slow
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _test_cells(path: Any) -> dict[str, str]:
    nb = nbformat.read(str(path), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


@functools.cache
def student_cells() -> dict[str, str]:
    return _test_cells(STUDENT)


@functools.cache
def solution_cells() -> dict[str, str]:
    return _test_cells(SOURCE)


def _passes(source: str, answers: dict[str, Any]) -> bool:
    """Whether a test cell runs without an error on these answers (an error of any kind scores 0)."""
    namespace = dict(answers)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 - the course's own test cell
    except Exception:  # noqa: BLE001 - any failure is a failed check, as in nbgrader
        return False
    return True


def agree(grade_id: str, answers: dict[str, Any]) -> None:
    validate = _passes(student_cells()[grade_id], answers)
    graded = _passes(solution_cells()[grade_id], answers)
    assert validate == graded, (grade_id, answers, "Validate passes" if validate else "Validate fails",
                                "graded right" if graded else "graded wrong")


def test_every_autograded_cell_is_sealed_and_the_model_answers_pass() -> None:
    model = {"stage_patient_1": "2", "plan_patient_2": ["not-mronj-radiotherapy"],
             "plan_patient_3": ["not-mronj-short"],
             "hbo_sessions": {"hbo-marx-prophylaxis": 30, "hbo-freiberger2012-rct": 40, "hbo-dahanca21": 40},
             "unsupported_schedule": "B", "chamber_hours": 45.0, "bouquot_74_measures": "B",
             "stage_scheme_source": {"first_author": "Díaz-Reverand", "patients": 19}}
    assert set(student_cells()) == set(solution_cells()) == set(ANSWER_OF)
    for gid, src in student_cells().items():
        assert "sealed_check(" in src and "'s1:" in src, gid
        assert _passes(src, model), gid
        assert _passes(solution_cells()[gid], model), gid


ANSWER_OF = {"q1_tests": "stage_patient_1", "q2_tests": "plan_patient_2", "q3_tests": "plan_patient_3",
             "q4_schedule_a": "hbo_sessions", "q4_schedule_b": "hbo_sessions", "q4_schedule_c": "hbo_sessions",
             "q5_tests": "unsupported_schedule", "q6_tests": "chamber_hours", "q8_tests": "bouquot_74_measures",
             "q9_author": "stage_scheme_source", "q9_patients": "stage_scheme_source"}

anything = st.one_of(st.none(), st.booleans(), st.integers(-5, 100), st.floats(), st.text(max_size=6),
                     st.lists(st.integers(0, 3), max_size=2))
near = st.sampled_from([19, 19.0, 20, 29, 30, 30.0, 31, 39, 40, 40.0, 41, 45, 29.99999999, 30.000001, 30.00004,
                        39.99996, 40.000049, 18.99999, 19.00001, 19.5, 190, math.nan, math.inf, -30, 0, True, "30",
                        "40", "19", 1e20])
numbers = st.one_of(near, st.integers(-1, 200), st.floats(allow_nan=True, allow_infinity=True), anything)


@SETTINGS
@given(st.one_of(st.sampled_from([*STAGES, "2 ", "stage 2", "II", 2, 2.0, "Stage 2", "two"]), anything))
def test_q1_stage(value: Any) -> None:
    agree("q1_tests", {"stage_patient_1": value})


@pytest.mark.parametrize("grade_id,name", [("q2_tests", "plan_patient_2"), ("q3_tests", "plan_patient_3")])
@SETTINGS
@given(plan=st.one_of(st.lists(st.sampled_from([*MENU, "not-mronj", "Not-mronj-short", ""]), max_size=4),
                      st.tuples(st.sampled_from(MENU)), st.frozensets(st.sampled_from(MENU), max_size=2),
                      anything))
@example(plan=["not-mronj-radiotherapy"]).via("the key of Q2")
@example(plan=["not-mronj-short"]).via("the key of Q3")
@example(plan=["not-mronj-short", "not-mronj-short"]).via("a duplicate")
@example(plan=("not-mronj-radiotherapy",)).via("a tuple")
@example(plan={"not-mronj-short"}).via("a set")
@example(plan=[]).via("empty")
def test_q2_q3_plans(grade_id: str, name: str, plan: Any) -> None:
    agree(grade_id, {name: plan})


@pytest.mark.parametrize("grade_id", ["q4_schedule_a", "q4_schedule_b", "q4_schedule_c"])
@SETTINGS
@given(totals=st.tuples(numbers, numbers, numbers), keys=st.sampled_from([Q4_IDS, Q4_IDS[:2], [*Q4_IDS, "x"]]))
@example(totals=(30, 40, 40), keys=Q4_IDS).via("the key")
@example(totals=(30.0, 40.0, 40.0), keys=Q4_IDS).via("floats")
@example(totals=(30.000001, 40.000001, 39.99999), keys=Q4_IDS).via("near misses equal to 6 digits")
@example(totals=(20, 20, 30), keys=Q4_IDS).via("sessions before surgery, days")
def test_q4_sessions(grade_id: str, totals: tuple[Any, ...], keys: list[str]) -> None:
    agree(grade_id, {"hbo_sessions": dict(zip(keys, totals, strict=False))})


@pytest.mark.parametrize("grade_id,name", [("q5_tests", "unsupported_schedule"), ("q8_tests", "bouquot_74_measures")])
@SETTINGS
@given(letter=st.one_of(st.sampled_from([*"ABCDEFGH", *"abcdefgh", "B ", "AB", "B."]), anything))
def test_q5_q8_letters(grade_id: str, name: str, letter: Any) -> None:
    agree(grade_id, {name: letter})


@SETTINGS
@given(hours=st.one_of(st.sampled_from([45, 45.0, 44.95, 44.9499999, 45.04999, 45.05, 45.0500001, 44.99996,
                                        45.00004, 45.1, 44.9, 46.5, 30.0, 2700, 999.9, 45.000000001]),
                       st.floats(40, 50), st.floats(44.9, 45.1), numbers))
def test_q6_hours_to_one_decimal(hours: Any) -> None:
    agree("q6_tests", {"chamber_hours": hours})


AUTHORS = ["Díaz-Reverand", "Diaz-Reverand", "Díaz Reverand", "DIAZ-REVERAND", "díaz", "Diaz", " Díaz-Reverand ",
           "Diaz-Reverand SA", "Díaz-Reverand, S.", "Díaz-Reverand et al.", "Di\u0301az-Reverand", "Díaz\u2011Reverand",
           "Díaz-Reverand.", "Reverand", "Naval-Gias", "S. Díaz-Reverand", "Dr Díaz", "Díazz", "Dias", "Díaz-Reverand2",
           "Diaz_Reverand", "Ruggiero", "", "   ", "Díaz;Reverand", "Díaz,Naval"]


@pytest.mark.parametrize("grade_id", ["q9_author", "q9_patients"])
@SETTINGS
@given(author=st.one_of(st.sampled_from(AUTHORS), st.text(max_size=12), anything), patients=numbers,
       keys=st.sampled_from([("first_author", "patients"), ("first_author",), ("author", "patients")]))
def test_q9_source(grade_id: str, author: Any, patients: Any, keys: tuple[str, ...]) -> None:
    agree(grade_id, {"stage_scheme_source": dict(zip(keys, (author, patients), strict=False))})


@pytest.mark.parametrize("author", AUTHORS)
def test_q9_each_spelling(author: str) -> None:
    agree("q9_author", {"stage_scheme_source": {"first_author": author, "patients": 19}})
