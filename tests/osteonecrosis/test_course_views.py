"""The helpers notebooks 00-03 and 07 call instead of showing code beyond the primer."""

from __future__ import annotations

import pytest
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
    assert cv.cumulative_incidence_curves("oncology")
    assert "denture" in cv.modifiable_factors() and "corticosteroids" not in cv.modifiable_factors()
    assert [e.measure for e in cv.extraction_estimates()] == ["RR", "OR", "HR"]
    (label, low, high), = cv.icon_array_pairs([("A", "zoledronate", "bone_metastases")])
    assert label == "A" and 0 <= low <= high <= 1000
    assert cv.risk_group_name("low_dose") == "osteoporosis doses (low dose)"


def _body_rows(table: str) -> list[str]:
    return table.splitlines()[2:]


def test_risk_range_table_filters_by_drug_and_group() -> None:
    from osteonecrosis import risk

    everything = _body_rows(cv.risk_range_table())
    assert len(everything) == len(risk.all_ranges()) > 10
    alendronate = _body_rows(cv.risk_range_table("alendronate"))
    assert alendronate and len(alendronate) < len(everything)
    assert all(row.startswith("| Alendronate |") for row in alendronate)
    low_dose = _body_rows(cv.risk_range_table(group="low_dose"))
    assert low_dose and all("| osteoporosis / low dose |" in row for row in low_dose)
    one = _body_rows(cv.risk_range_table("alendronate", "low_dose"))
    assert one == [r for r in alendronate if r in low_dose] and len(one) == 1
    assert cv.risk_range_table("romosozumab", "oncology").startswith("*No published range")
    drugs, groups = cv.risk_range_options()
    assert drugs[0] == ("all drugs", "all") and ("Zoledronic acid", "zoledronate") in drugs
    assert [g for _, g in groups][:3] == ["all", "low_dose", "oncology"]


def test_risk_factor_table_filters_modifiable_and_fixed() -> None:
    from osteonecrosis import risk

    effects = risk.risk_factor_effects()
    modifiable = _body_rows(cv.risk_factor_table("modifiable"))
    fixed = _body_rows(cv.risk_factor_table("fixed"))
    assert len(modifiable) == sum(e["modifiable"] for e in effects.values()) > 0
    assert len(fixed) == sum(not e["modifiable"] for e in effects.values()) > 0
    assert all("| yes |" in r for r in modifiable) and all("| no |" in r for r in fixed)
    assert _body_rows(cv.risk_factor_table()) == modifiable + fixed


def test_risk_filters_refuse_unknown_choices_in_one_line() -> None:
    for call in (lambda: cv.risk_range_table("aspirin"), lambda: cv.risk_range_table(group="osteoporosis"),
                 lambda: cv.risk_factor_table("some"), lambda: cv.risk_range_filter(drug="aspirin")):
        with pytest.raises(ValueError) as err:
            call()
        assert "\n" not in str(err.value) and "choose one of" in str(err.value)


def test_risk_filters_are_views_over_the_tables() -> None:
    import mistune

    box = cv.risk_range_filter(drug="alendronate")
    drug, group, out = box.children
    assert out.value == mistune.html(cv.risk_range_table("alendronate", "all"))
    drug.value = "zoledronate"
    group.value = "oncology"
    assert out.value == mistune.html(cv.risk_range_table("zoledronate", "oncology"))
    assert "Zoledronic acid" in out.value and "Alendronate" not in out.value
    factors = cv.risk_factor_filter("modifiable")
    buttons, shown = factors.children
    assert shown.value == mistune.html(cv.risk_factor_table("modifiable"))
    buttons.value = "fixed"
    assert shown.value == mistune.html(cv.risk_factor_table("fixed"))


def test_orn_dose_explorer_is_a_view_over_the_flags() -> None:
    assert cv.orn_flags_markdown(0, 0, 0).startswith("No published threshold crossed")
    crossed = cv.orn_flags_markdown(70, 40, 10)
    assert crossed.startswith("- **")
    box = cv.orn_dose_explorer(dmax=0, dmean=0, v60=0)
    dmax, out = box.children[0], box.children[-1]
    assert "No published threshold" in out.value
    dmax.value = 70
    assert "<strong>" in out.value
