"""The no-code staging exercise of notebook 04, tried as a new user would.

For the five library cases the notebook uses, choosing the stage the notebook teaches gives 'correct'
feedback, and every wrong choice gives a hint that points at a criterion without giving the stage away.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from osteonecrosis import library, library_case
from osteonecrosis.staging import STAGE_LABELS, STAGES, stage
from osteonecrosis.staging_quiz import (
    CHOICE_LABELS,
    EXERCISE_CASES,
    case_vignette,
    grade_stage,
    library_by_stage,
    red_flags,
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


# --- issue 10: red flags and the rules the stage alone does not carry ----------------------------------------

@pytest.mark.parametrize("chosen", STAGES)
def test_numb_lip_in_cancer_asks_for_metastasis_work_up_whatever_the_choice(chosen: str) -> None:
    """The numb-lip case is numb-chin syndrome until imaging excludes a metastasis: every feedback says so."""
    fb = grade_stage(library_case("onc-denosumab-stage0"), chosen)
    text = fb.message.lower()
    assert "numb-chin syndrome" in text and "metastasis" in text and "imaging" in text, fb.message


def test_feedback_warnings_come_from_staging_and_need_cancer_and_numbness() -> None:
    case = library_case("onc-denosumab-stage0")
    assert red_flags(case) == stage(case).warnings and red_flags(case)
    assert all(w in grade_stage(case, "0").message for w in red_flags(case))
    assert red_flags(dataclasses.replace(case, indication="osteoporosis")) == []
    findings = dataclasses.replace(case.findings, nonspecific=("tooth_mobility",))
    assert red_flags(dataclasses.replace(case, findings=findings)) == []
    for cid in ("op-alendronate-stage1", "op-zoledronate-stage0", "paget-stopped-stage3"):
        assert red_flags(library_case(cid)) == [], cid


@pytest.mark.parametrize("chosen", STAGES)
def test_short_exposure_feedback_never_defers_treatment(chosen: str) -> None:
    fb = grade_stage(library_case("op-short-exposure"), chosen)
    assert "never defers" in fb.message and "fracture" in fb.message and "infection" in fb.message, fb.message


def test_confirmed_cases_carry_no_window_warning() -> None:
    for cid in ("op-alendronate-stage1", "op-stopped-bp-stage2", "paget-stopped-stage3"):
        assert "never defers" not in grade_stage(library_case(cid), "1").message


def test_first_criterion_hint_names_aaoms_2022_and_the_older_wordings() -> None:
    fb = grade_stage(library_case("no-drug-exposed-bone"), "1")
    assert not fb.correct
    assert "AAOMS 2022" in fb.message and "antiangiogenic drug alone" in fb.message and "2014" in fb.message


def test_library_by_stage_counts_every_case_once() -> None:
    items, groups = library_by_stage()
    assert len(items) == len(groups) and items
    assert sum(n for _, n in items) == len(library())
    assert set(groups) <= {"osteoporosis", "oncology", "other"}
    labels = [label for label, _ in items]
    assert len(labels) == len(set(labels))


def test_the_warning_comes_before_the_reassuring_label() -> None:
    fb = grade_stage(library_case("onc-denosumab-stage0"), "0")
    assert fb.correct
    assert fb.message.index("numb-chin syndrome") < fb.message.index("Stage 0")
