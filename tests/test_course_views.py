"""The helpers notebooks 00-03 and 07 call instead of showing code beyond the primer."""

from __future__ import annotations

from osteonecrosis import course_views as cv
from osteonecrosis import knowledge

MARKS = {"hyp-remodelling-suppression": {"A": "+", "B": "-"}, "hyp-infection-biofilm": {"B": "+"},
         "hyp-genetics": {"C": "?"}}


def test_lookups_by_id() -> None:
    regimens = cv.regimens()
    assert regimens["zoledronate-op-yearly"]["every_days"] == knowledge.find("zoledronate-op-yearly", "drugs")[
        "every_days"]
    assert cv.by_id([{"id": "a", "x": 1}]) == {"a": {"id": "a", "x": 1}}
    assert cv.span([0.7, 6.9], "%") == "0.7–6.9 %" and cv.span([1, 2]) == "1–2"


def test_hypotheses_against_observations() -> None:
    assert cv.explained(MARKS, ["A", "B", "C"], ["hyp-remodelling-suppression"]) == ["A"]
    assert cv.explained(MARKS, ["A", "B", "C"], list(MARKS)) == ["A", "B"]
    assert cv.smallest_full_combination(MARKS, ["A", "B"]) == 2
    assert cv.smallest_full_combination(MARKS, ["A", "B", "C"]) is None
    report = cv.combination_report(MARKS, ["A", "B", "C"], ["hyp-infection-biofilm"])
    assert report.startswith("1 hypothesis chosen: 1 of 3 observations") and report.endswith("A, C")
    names = cv.hypothesis_names()
    assert cv.evidence_marks({"hyp-genetics": {"C": "?"}}) == {(names["hyp-genetics"], "C"): "?"}
    assert cv.hypothesis_options({"hyp-genetics": {}}) == [(names["hyp-genetics"], "hyp-genetics")]


def test_risk_views() -> None:
    rows = cv.incidence_rows()
    assert rows and rows[0].group == "osteoporosis"
    assert "| drug | group |" in cv.risk_range_table() and "per 1000" in cv.risk_range_table()
    assert cv.cumulative_incidence_curves("oncology")
    assert "| factor | modifiable |" in cv.risk_factor_table()
    assert "denture" in cv.modifiable_factors() and "corticosteroids" not in cv.modifiable_factors()
    assert [e.measure for e in cv.extraction_estimates()] == ["RR", "OR", "HR"]
    (label, low, high), = cv.icon_array_pairs([("A", "zoledronate", "bone_metastases")])
    assert label == "A" and 0 <= low <= high <= 1000
    assert cv.risk_group_name("low_dose") == "osteoporosis doses (low dose)"


def test_orn_dose_explorer_is_a_view_over_the_flags() -> None:
    assert cv.orn_flags_markdown(0, 0, 0).startswith("No published threshold crossed")
    crossed = cv.orn_flags_markdown(70, 40, 10)
    assert crossed.startswith("- **")
    box = cv.orn_dose_explorer(dmax=0, dmean=0, v60=0)
    dmax, out = box.children[0], box.children[-1]
    assert "No published threshold" in out.value
    dmax.value = 70
    assert "<strong>" in out.value
