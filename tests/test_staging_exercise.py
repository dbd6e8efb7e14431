"""The no-code staging exercise of notebook 04, tried as a new user would.

For the five library cases the notebook uses, choosing the stage the notebook teaches gives 'correct'
feedback, and every wrong choice gives a hint that points at a criterion without giving the stage away.
"""

from __future__ import annotations

import json

import pytest
from osteonecrosis import library_case
from osteonecrosis.staging import STAGE_LABELS, STAGES, stage
from osteonecrosis.staging_quiz import (
    CHOICE_LABELS,
    EXERCISE_CASES,
    case_vignette,
    grade_stage,
    staging_exercise,
    vignette_html,
)

from tests.conftest import COURSE

NOTEBOOK = COURSE / "04_diagnosis_and_staging.ipynb"


def test_five_cases_cover_five_different_stages() -> None:
    stages = [stage(library_case(cid)).stage for cid in EXERCISE_CASES]
    assert len(EXERCISE_CASES) == 5
    assert len(set(stages)) == 5, stages


@pytest.mark.parametrize("case_id", EXERCISE_CASES)
def test_the_taught_stage_is_correct(case_id: str) -> None:
    case = library_case(case_id)
    taught = case.extra["expected_stage"]  # what the case library (and the notebook's teaching) says
    assert stage(case).stage == taught
    fb = grade_stage(case, taught)
    assert fb.correct
    assert fb.message.startswith("Correct.")
    assert STAGE_LABELS[taught] in fb.message
    # the explanation repeats the criteria that decided
    assert all(reason in fb.message for reason in stage(case).reasons)


@pytest.mark.parametrize("case_id", EXERCISE_CASES)
def test_wrong_choices_get_a_hint_without_the_answer(case_id: str) -> None:
    case = library_case(case_id)
    right = stage(case).stage
    for wrong in STAGES:
        if wrong == right:
            continue
        fb = grade_stage(case, wrong)
        assert not fb.correct
        assert fb.message.startswith("Not quite.")
        hint = fb.message.split(".", 2)[-1]
        assert len(hint.split()) >= 8, f"hint too thin for {case_id}/{wrong}: {fb.message}"
        assert CHOICE_LABELS[right] not in hint and STAGE_LABELS[right] not in hint, fb.message


def test_specific_hints_point_at_the_missed_criterion() -> None:
    assert "pain" in grade_stage(library_case("op-stopped-bp-stage2"), "1").message
    assert "extraoral fistula" in grade_stage(library_case("paget-stopped-stage3"), "2").message
    assert "8 weeks" in grade_stage(library_case("op-short-exposure"), "1").message
    assert "nonspecific sign" in grade_stage(library_case("onc-denosumab-stage0"), "at_risk").message
    assert "radiotherapy" in grade_stage(library_case("onc-radiotherapy-orn"), "2").message


def test_no_choice_and_unknown_choice() -> None:
    case = library_case(EXERCISE_CASES[0])
    assert grade_stage(case, None).message == "Choose a stage first."
    fb = grade_stage(case, "4")
    assert not fb.correct and "Unknown stage" in fb.message


def test_vignette_describes_findings_without_the_stage() -> None:
    for cid in EXERCISE_CASES:
        text = case_vignette(library_case(cid))
        assert "Stage" not in text and "stage" not in text
        assert "*Findings:*" in text and "*Medicines:*" in text
    assert "extraoral fistula" in case_vignette(library_case("paget-stopped-stage3"))
    assert "6 weeks" in case_vignette(library_case("op-short-exposure"))
    assert "<b>" in vignette_html(library_case("op-short-exposure"))


def test_widget_gives_instant_feedback_and_keeps_score() -> None:
    box = staging_exercise()
    cards, score = box.children[:-1], box.children[-1]
    assert len(cards) == 5
    for cid, card in zip(EXERCISE_CASES, cards, strict=True):
        _, buttons, feedback = card.children
        assert buttons.value is None and feedback.value == ""  # nothing answered, nothing shown
        assert set(buttons.options) == {(CHOICE_LABELS[s], s) for s in STAGES}
        wrong = next(s for s in STAGES if s != stage(library_case(cid)).stage)
        buttons.value = wrong
        assert "Not quite" in feedback.value
        buttons.value = stage(library_case(cid)).stage
        assert "Correct" in feedback.value
    assert "5 of 5" in score.value


def test_notebook_04_uses_these_cases_without_code_to_write() -> None:
    if not NOTEBOOK.exists():
        pytest.fail("course/04_diagnosis_and_staging.ipynb is missing")
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "staging_exercise(" in code
    # no cell asks the student to type code: no placeholders to fill in
    assert "YOUR CODE" not in code and "..." not in code.replace('"..."', "")
