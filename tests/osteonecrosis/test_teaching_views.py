"""The short views of notebook 06 (prevention_views) and the answers of notebook 08 (simulation_questions)."""

from __future__ import annotations

import datetime as dt

from osteonecrosis import library_case, prevention, prevention_views, risk, simulation_questions
from osteonecrosis.models import cohort
from osteonecrosis.models.parameters import value


def test_risk_ranges_side_by_side_show_both_sources_and_flag_the_reported() -> None:
    for group in prevention_views.RISK_GROUPS:
        text = prevention_views.risk_ranges_side_by_side(group).markdown
        rows = [r for c in risk.side_by_side(group) for r in c["rows"]]
        assert rows and all(r["period"] in text for r in rows), group
        assert "[taskforce2015]" in text and "[aaoms2022]" in text and "reported, unverified" in text
        assert "after a tooth extraction" in text
    assert "Contested: both taught, neither graded" in prevention_views.risk_ranges_side_by_side("low_dose").markdown
    view = prevention_views.risk_view()
    menu, out = view.children
    menu.value = "oncology"
    assert "MASCC/ISOO/ASCO 2019" in out.outputs[0]["data"]["text/markdown"]


def test_prophylaxis_is_contested_with_both_sides() -> None:
    advice = prevention.prophylaxis_advice()
    assert advice["standing"] == "contested"
    text = prevention_views.prophylaxis_positions().markdown
    assert "SDCEP" in text and "SICMF-SIPMO" in text and "S3" in text
    assert "myth" not in text.lower()


def test_patient_views_show_one_short_table_each() -> None:
    view = prevention_views.holiday_view(["op-alendronate-extraction", "op-denosumab-implant"])
    menu, out = view.children
    assert "op-alendronate-extraction" == menu.value and "Applies?" in out.outputs[0]["data"]["text/markdown"]
    menu.value = "op-denosumab-implant"
    assert "ECTS" in out.outputs[0]["data"]["text/markdown"]
    view = prevention_views.checklist_view(["onc-zoledronate-before-therapy"])
    assert "Before therapy" in view.children[1].outputs[0]["data"]["text/markdown"]
    view = prevention_views.seed_claims_view(["es-prevention-avoid-extractions"])
    shown = view.children[1].outputs[0]["data"]["text/markdown"]
    assert "The seed says" in shown and "Verdict" in shown  # the claim is never shown without its audit


def test_denosumab_window_view_follows_the_date() -> None:
    view = prevention_views.denosumab_window_view(dt.date(2025, 3, 1))
    picker, out = view.children
    assert "2025-03-01" in out.outputs[0]["data"]["text/markdown"]
    picker.value = dt.date(2025, 8, 31)
    assert "2025-08-31" in out.outputs[0]["data"]["text/markdown"]
    picker.value = None
    assert out.outputs == ()


def test_elective_surgery_table_one_row_per_patient() -> None:
    ids = ["op-alendronate-extraction", "onc-zoledronate-at-risk"]
    table = prevention_views.elective_surgery_table(ids)
    assert table.rows == 2
    assert library_case(ids[0]).extra["title"] in table.markdown


def test_risk_explorer_answer_matches_the_cited_range() -> None:
    low, high = simulation_questions.per_1000("zoledronate", "bone_metastases")
    rng = risk.baseline_range("zoledronate", "bone_metastases")
    assert (low, high) == (round(rng.low_percent * 10), round(rng.high_percent * 10))
    assert low < high


def test_cohort_answer_comes_from_the_model() -> None:
    q, c = value("cohort-share-needing-extraction"), value("cohort-share-foreseeable")
    assert simulation_questions.prevented_per_1000("zoledronate", "bone_metastases", q, 0.0) == 0.0
    now = simulation_questions.prevented_per_1000("zoledronate", "bone_metastases", q, c)
    params = risk.cohort_parameters("zoledronate", "bone_metastases")
    p = 0.5 * (params["baseline_incidence"]["low"] + params["baseline_incidence"]["high"])
    without, bundle = cohort.bundle_incidence(p, q, c, params["extraction_relative_effect"]["point"])
    assert abs(now - 1000 * (without - bundle)) < 1e-9 and now > 0
    text = simulation_questions.cohort_slider_answer()
    assert f"{now:.1f} cases per 1000" in text and "**0.0**" in text
    assert set(simulation_questions.cohort_assumption_ids()) >= {"cohort-share-needing-extraction",
                                                                  "cohort-share-foreseeable"}


def test_holiday_answer_is_what_the_drug_level_lab_computes() -> None:
    from osteonecrosis.models import pharmacokinetics

    bp2, dm2 = simulation_questions.holiday_cleared_percent(2)
    bp12, dm12 = simulation_questions.holiday_cleared_percent(12)
    assert bp2 < bp12 < 50 and dm2 > bp2 and dm12 > 90
    r = pharmacokinetics.compare_holiday("alendronate-op-weekly", "denosumab-op", 60, 2)
    assert abs(bp2 - 100 * r["bisphosphonate"].fraction_cleared_by_holiday()) < 1e-9
    text = simulation_questions.holiday_answer(2, 12)
    assert f"{bp2:.0f}% of the bisphosphonate store" in text and "**12 months**" in text


def test_during_therapy_table_never_shows_a_seed_claim_without_its_audit() -> None:
    case_id = "onc-zoledronate-before-therapy"
    items = prevention.during_therapy(library_case(case_id))
    table = prevention_views.during_therapy_table(case_id)
    seed = [i for i in items if i.get("evidence") == "seed_claim"]
    assert seed and table.rows == len(items) - len(seed)
    assert "seed_claim" not in table.markdown and "[mascc2019]" in table.markdown
