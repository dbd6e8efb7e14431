"""The case-based management exercise of notebook 05: feedback comes from make_plan, never from a hard-coded key.

Each check builds the expected verdicts from ``plan.make_plan`` for the case and then grades plans a student
could tick: the full standard plan is right, leaving out a standard step or ticking one to avoid is wrong, and
the choices made with the patient (surgery at stages 1-2, HBO) never change the mark.
"""

from __future__ import annotations

import pytest
from osteonecrosis import library_case, management, management_cases
from osteonecrosis.management_cases import (
    MANAGEMENT_CASES,
    OPERATE_OR_NOT_CASE,
    OPTIONS,
    evidence_table,
    grade_plan,
    management_exercise,
    operative_vs_nonoperative,
    option_verdicts,
    stage_comparison,
)
from osteonecrosis.plan import make_plan
from osteonecrosis.staging import stage


def _verdicts(case_id: str) -> dict[str, str]:
    return {o: v.verdict for o, v in option_verdicts(make_plan(library_case(case_id)), library_case(case_id)).items()}


def _standard(case_id: str) -> list[str]:
    return [o for o, v in _verdicts(case_id).items() if v == "expected"]


def test_the_cases_cover_stages_1_to_3_in_osteoporosis_and_oncology() -> None:
    cases = [library_case(cid) for cid in MANAGEMENT_CASES]
    assert {stage(c).stage for c in cases} == {"1", "2", "3"}
    assert {c.indication for c in cases} >= {"osteoporosis", "bone_metastases", "multiple_myeloma", "paget"}
    assert OPERATE_OR_NOT_CASE in MANAGEMENT_CASES


@pytest.mark.parametrize("case_id", MANAGEMENT_CASES)
def test_every_option_gets_a_verdict_with_reasons(case_id: str) -> None:
    verdicts = option_verdicts(make_plan(library_case(case_id)), library_case(case_id))
    assert set(verdicts) == set(OPTIONS)
    for v in verdicts.values():
        assert v.verdict in management_cases.VERDICTS and len(v.why.split()) >= 5
        if v.verdict in ("expected", "avoid"):
            assert v.sources, f"{case_id}/{v.option}: a marked verdict without a source"


@pytest.mark.parametrize("case_id", MANAGEMENT_CASES)
def test_the_standard_plan_is_right_and_the_choices_never_change_the_mark(case_id: str) -> None:
    case = library_case(case_id)
    standard = _standard(case_id)
    assert {"rinse", "prescriber"} <= set(standard), standard
    calls = [o for o, v in _verdicts(case_id).items() if v == "your_call"]
    assert "hbo" in calls
    assert grade_plan(case, standard).correct
    fb = grade_plan(case, standard + calls)
    assert fb.correct, fb.message
    for o in calls:  # each choice is explained whatever the student ticked
        assert OPTIONS[o] in fb.message


@pytest.mark.parametrize("case_id", MANAGEMENT_CASES)
def test_a_missing_standard_step_or_a_step_to_avoid_is_wrong(case_id: str) -> None:
    case = library_case(case_id)
    standard = _standard(case_id)
    for left_out in standard:
        fb = grade_plan(case, [o for o in standard if o != left_out])
        assert not fb.correct and f"Missing from your plan: '{OPTIONS[left_out]}'" in fb.message
    fb = grade_plan(case, [*standard, "stop_drug"])
    assert not fb.correct and "prescriber" in fb.message


def test_stage_decides_antibiotics_and_surgery() -> None:
    assert _verdicts("op-alendronate-stage1")["antibiotics"] == "not_needed"
    assert not grade_plan(library_case("op-alendronate-stage1"), ["rinse", "antibiotics"]).correct
    for cid in ("onc-denosumab-stage2", "op-stopped-bp-stage2", "onc-zoledronate-stage3-fracture"):
        assert _verdicts(cid)["antibiotics"] == "expected", cid
    # operate or not: a choice made with the patient at stages 1-2, a standard step at stage 3
    assert _verdicts(OPERATE_OR_NOT_CASE)["surgery"] == "your_call"
    assert _verdicts("op-alendronate-stage1")["surgery"] == "your_call"
    assert _verdicts("onc-zoledronate-stage3-fracture")["surgery"] == "expected"
    case = library_case(OPERATE_OR_NOT_CASE)
    standard = _standard(OPERATE_OR_NOT_CASE)
    assert grade_plan(case, standard).correct and grade_plan(case, [*standard, "surgery"]).correct


@pytest.mark.parametrize("case_id", ["onc-denosumab-stage2", "onc-zoledronate-stage3-fracture",
                                     "paget-stopped-stage3"])
def test_teriparatide_is_to_avoid_in_cancer_in_bone_and_in_paget(case_id: str) -> None:
    """Harmful if believed (issue 10): teriparatide must never pass as a choice for these patients."""
    assert _verdicts(case_id)["teriparatide"] == "avoid"
    fb = grade_plan(library_case(case_id), [*_standard(case_id), "teriparatide"])
    assert not fb.correct and "Not for this patient" in fb.message


def test_teriparatide_is_a_choice_to_discuss_in_plain_osteoporosis() -> None:
    assert _verdicts("op-alendronate-stage1")["teriparatide"] == "your_call"


def test_bad_and_empty_input() -> None:
    case = library_case(MANAGEMENT_CASES[0])
    assert grade_plan(case, []).message == "Tick what belongs in the plan first."
    with pytest.raises(ValueError, match="unknown option 'laser'"):
        grade_plan(case, ["laser"])
    with pytest.raises(ValueError, match="unknown 'hbo'"):
        evidence_table("hbo")
    with pytest.raises(KeyError, match="no item 'x'"):
        management_cases.find_item(management.surgery_evidence(), "x")


def test_short_views_cite_every_row() -> None:
    for code in management.STAGE_CODES:
        table = stage_comparison(code)
        assert table.rows == 3 and "AAOMS 2022" in table.markdown and "history)" in table.markdown
        current, history, _seed = table.markdown.splitlines()[-3:]
        assert "[aaoms2022]" in current and "[aaoms2009]" in history and "[aaoms2009]" not in current
    assert "19-patient series" in stage_comparison("2").markdown
    for topic in management_cases.EVIDENCE_TOPICS:
        table = evidence_table(topic)
        body = table.markdown.splitlines()[4:]
        assert body and all("[" in row for row in body), topic
    side = operative_vs_nonoperative().markdown
    assert "Nonoperative first" in side and "Operative" in side and "randomised" in side
    s2 = management_cases.find_item(management.surgery_evidence(), "surgery-stage2-success")
    assert f"{s2['surgical_success_percent']:g}%" in side and f"{s2['nonsurgical_success_percent']:g}%" in side


def test_widget_checks_a_plan_and_keeps_score() -> None:
    box = management_exercise()
    cards, score = box.children[:-1], box.children[-1]
    assert len(cards) == len(MANAGEMENT_CASES)
    for cid, card in zip(MANAGEMENT_CASES, cards, strict=True):
        _, grid, button, feedback = card.children
        boxes = dict(zip(OPTIONS, grid.children, strict=True))
        button.click()
        assert "Tick what belongs" in feedback.value
        for o in _standard(cid):
            boxes[o].value = True
        button.click()
        assert "Correct" in feedback.value, feedback.value
    assert f"{len(MANAGEMENT_CASES)} of {len(MANAGEMENT_CASES)}" in score.value
    boxes["stop_drug"].value = True
    button.click()
    assert "Not quite" in feedback.value and f"{len(MANAGEMENT_CASES) - 1} of" in score.value


def test_dropdown_views_show_the_chosen_item() -> None:
    view = management_cases.stage_view()
    menu, out = view.children
    assert menu.value == management.TREATED_STAGES[0] and out.outputs
    menu.value = "3"
    assert "Stage 3: three positions" in out.outputs[0]["data"]["text/markdown"]
    view = management_cases.evidence_view()
    menu, out = view.children
    menu.value = "adj-teriparatide"
    assert "Sim 2020" in out.outputs[0]["data"]["text/markdown"]


def test_feedback_html_lists_each_point_escaped() -> None:
    case = library_case("paget-stopped-stage3")
    fb = grade_plan(case, ["rinse", "teriparatide"])
    html = management_cases.feedback_html(fb)
    assert html.count("<li>") == len(fb.message.splitlines()) - 1 >= 2
    assert "Not for this patient: Not for this patient" not in fb.message
    assert "<script" not in management_cases.feedback_html(management_cases.Feedback(False, "x\n<script>"))


def test_teriparatide_cautions_come_from_the_knowledge_base() -> None:
    entry = management.adjunct("adj-teriparatide")
    table = management_cases.teriparatide_cautions()
    assert table.rows == len(entry["contraindications"]) + 1
    for c in entry["contraindications"]:
        assert c["label"] in table.markdown
    for word in ("Paget", "alkaline phosphatase", "radiation", "metastases"):
        assert word in table.markdown
    assert "[teriparatide_label]" in table.markdown and "[mascc2019]" in table.markdown


def test_symptom_driven_steps_follow_the_patient() -> None:
    """The plan's nonoperative care names antibiotics and pain control; the patient's findings decide them."""
    painless = library_case("paget-stopped-stage3")
    assert not painless.findings.pain and painless.findings.infection
    verdicts = _verdicts("paget-stopped-stage3")
    assert verdicts["antibiotics"] == "expected" and verdicts["pain_control"] == "your_call"
    clean = library_case("op-alendronate-stage1")
    assert not clean.findings.infection
    why = option_verdicts(make_plan(clean), clean)["antibiotics"].why
    assert _verdicts("op-alendronate-stage1")["antibiotics"] == "not_needed" and "infection" in why
    assert _verdicts("onc-denosumab-stage2")["pain_control"] == "expected"


def test_stage_3_surgery_is_in_the_plan_and_the_feedback_names_the_nonoperative_option() -> None:
    case = library_case("onc-zoledronate-stage3-fracture")
    v = option_verdicts(make_plan(case), case)["surgery"]
    assert v.verdict == "expected" and "aaoms2022" in v.sources
    assert "Nonoperative" in v.why or "nonoperative" in v.why
