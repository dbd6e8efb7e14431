"""Prevention applied to cases: denosumab windows, checklists, elective surgery, drug holidays, the seed's protocol."""

from __future__ import annotations

import datetime as dt

import pytest
from osteonecrosis import case_from_dict, prevention

from tests.osteonecrosis.test_management import assert_cited


def make(indication="osteoporosis", meds=(), **extra):
    return case_from_dict({"indication": indication, "medications": list(meds), **extra})


ALN = {"drug": "alendronate", "months": 24, "current": True, "dose_mg": 70, "every_days": 7, "route": "oral"}
ZOL_ONC = {"drug": "zoledronate", "months": 12, "current": True, "dose_mg": 4, "every_days": 28}
ZOL_OP = {"drug": "zoledronate", "months": 36, "current": True, "dose_mg": 5, "every_days": 365}
DMAB_OP = {"drug": "denosumab", "months": 30, "current": True, "dose_mg": 60, "every_days": 182}
DMAB_ONC = {"drug": "denosumab", "months": 10, "current": True, "dose_mg": 120, "every_days": 28}
BEV = {"drug": "bevacizumab", "months": 8, "current": True}


# --- dates --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,months,expected", [
    ("2024-01-15", 6, "2024-07-15"),
    ("2024-01-31", 1, "2024-02-29"),   # leap year, clipped to the month's end
    ("2023-01-31", 1, "2023-02-28"),
    ("2024-08-31", 5, "2025-01-31"),
    ("2024-08-31", 6, "2025-02-28"),
    ("2024-07-15", -1, "2024-06-15"),
    ("2024-01-10", -1, "2023-12-10"),
])
def test_add_months(day, months, expected):
    assert prevention.add_months(dt.date.fromisoformat(day), months).isoformat() == expected


def test_ects_denosumab_window_dates():
    w = prevention.denosumab_window(dt.date(2024, 1, 15), "ects2022")
    assert_cited(w)
    assert w["source"] == ["ects2022"] and w["evidence"] == "guideline"
    assert w["last_injection"] == "2024-01-15"
    assert w["scheduled_next_dose"] == "2024-07-15"
    assert (w["procedure_earliest"], w["procedure_latest"]) == ("2024-06-15", "2024-07-15")
    # next injection: 4 weeks after the earliest procedure, at most 4 weeks after the scheduled dose
    assert (w["next_injection_earliest"], w["next_injection_latest"]) == ("2024-07-13", "2024-08-12")


def test_sdcep_denosumab_window_dates():
    w = prevention.denosumab_window(dt.date(2024, 1, 15), "sdcep2017")
    assert_cited(w)
    assert w["source"] == ["sdcep2017"]
    assert w["scheduled_next_dose"] == "2024-07-15"
    assert (w["procedure_earliest"], w["procedure_latest"]) == ("2024-06-15", "2024-07-14")
    assert w["next_injection_earliest"] is None and w["next_injection_latest"] is None
    assert "socket has healed" in w["next_injection_rule"]


def test_denosumab_window_default_is_ects_and_month_ends_are_clipped():
    w = prevention.denosumab_window(dt.date(2024, 8, 31))
    assert w["guideline"] == "ects2022"
    assert (w["procedure_earliest"], w["procedure_latest"]) == ("2025-01-31", "2025-02-28")
    assert w["next_injection_latest"] == "2025-03-28"
    s = prevention.denosumab_window("2024-08-31", "sdcep2017")
    assert (s["procedure_earliest"], s["procedure_latest"]) == ("2025-01-28", "2025-02-27")


def test_denosumab_window_accepts_datetimes_and_iso_strings():
    a = prevention.denosumab_window(dt.datetime(2025, 3, 2, 9, 30))
    b = prevention.denosumab_window("2025-03-02")
    assert a == b and a["procedure_earliest"] == "2025-08-02"


@pytest.mark.parametrize("value", ["02/03/2025", 20250302, None, "2025-13-01"])
def test_denosumab_window_rejects_bad_dates_with_one_clear_message(value):
    with pytest.raises(ValueError, match="last_injection: expected a date"):
        prevention.denosumab_window(value)


def test_denosumab_window_rejects_unknown_guidelines():
    with pytest.raises(ValueError, match="guideline: unknown 'aaoms2022'"):
        prevention.denosumab_window(dt.date(2024, 1, 15), "aaoms2022")


def test_ects_next_injection_for_a_procedure_date():
    n = prevention.ects_next_injection(dt.date(2024, 1, 15), dt.date(2024, 7, 1))
    assert n["within_window"] is True and n["feasible"] is True
    assert (n["next_injection_earliest"], n["next_injection_latest"]) == ("2024-07-29", "2024-08-12")
    early = prevention.ects_next_injection(dt.date(2024, 1, 15), dt.date(2024, 6, 15))
    assert (early["next_injection_earliest"], early["next_injection_latest"]) == ("2024-07-13", "2024-07-27")
    off = prevention.ects_next_injection("2024-01-15", "2024-05-01")
    assert off["within_window"] is False
    late = prevention.ects_next_injection("2024-01-15", "2024-08-01")
    assert late["within_window"] is False and late["feasible"] is False
    with pytest.raises(ValueError, match="procedure"):
        prevention.ects_next_injection("2024-01-15", "2023-12-01")


# --- dose groups ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("indication,meds,group", [
    ("bone_metastases", [ZOL_ONC], "oncologic"),
    ("osteoporosis", [ZOL_OP], "low_dose"),
    ("osteoporosis", [DMAB_OP], "low_dose"),
    ("bone_metastases", [DMAB_ONC], "oncologic"),
    ("multiple_myeloma", [{"drug": "pamidronate", "months": 6}], "oncologic"),
    ("osteoporosis", [{"drug": "alendronate", "months": 6}], "low_dose"),
    ("other", [BEV], "antiangiogenic"),
    ("osteoporosis", [{**ALN, "current": False}], "stopped"),
    ("osteoporosis", [], "none"),
])
def test_dose_group(indication, meds, group):
    assert prevention.dose_group(make(indication, meds)) == group


def test_drug_kind_uses_route_dose_or_catalogue():
    case = make("osteoporosis", [ALN, ZOL_OP, DMAB_OP, {"drug": "ibandronate", "months": 5, "dose_mg": 3},
                                 {"drug": "romosozumab", "months": 5}])
    kinds = [prevention.drug_kind(m) for m in case.medications]
    assert kinds == ["oral_bisphosphonate", "iv_bisphosphonate", "denosumab", "iv_bisphosphonate", "other"]


# --- checklists ---------------------------------------------------------------------------------------------

def test_pretreatment_checklist_for_oncology_has_the_mascc_items():
    case = make("bone_metastases", [], risk_factors=["periodontitis", "smoking", "chemotherapy"])
    items = {i["id"]: i for i in prevention.pretreatment_checklist(case)}
    for item in items.values():
        assert_cited(item)
    assert {"pre-assessment", "pre-coordinated-plan", "pre-finish-necessary", "pre-sdcep-dentally-fit"} <= set(items)
    assert items["pre-assessment"]["source"] == ["mascc2019"] and "radiographic" in items["pre-assessment"]["action"]
    assert items["pre-modifiable-risk"]["present_in_case"] == ["periodontitis", "smoking"]
    delay = items["pre-delay-start"]
    assert delay["evidence"] == "unverified" and delay["unverified"] and delay["days"] == [14, 21]


def test_pretreatment_checklist_for_osteoporosis_leaves_out_oncology_items():
    items = {i["id"] for i in prevention.pretreatment_checklist(make("osteoporosis", [{**ALN, "months": 0}]))}
    assert "pre-sdcep-dentally-fit" in items and "pre-assessment" not in items


def test_during_therapy_items_by_dose_group():
    onc = {i["id"]: i for i in prevention.during_therapy(make("bone_metastases", [ZOL_ONC]))}
    op = {i["id"] for i in prevention.during_therapy(make("osteoporosis", [ALN]))}
    for item in onc.values():
        assert_cited(item)
    assert onc["during-recall"]["recall_months"] == 6
    assert "during-no-elective-oncology" in onc and "during-primary-care" not in onc
    assert "during-primary-care" in op and "during-no-elective-oncology" not in op
    assert {"during-hygiene", "during-recall", "during-denture-fit"} <= op


def test_ctx_and_prophylaxis():
    ctx, related = prevention.ctx_advice()
    assert (ctx["studies"], ctx["patients"], ctx["sensitivity_percent"], ctx["specificity_percent"]) == (
        18, 2301, 34.26, 77.08)
    assert ctx["evidence"] == "meta_analysis" and related["evidence"] == "unverified"
    pro = prevention.prophylaxis_advice()
    assert_cited(pro)
    assert "sdcep2017" in pro["source"] and "insufficient" in pro["action"]
    # contested, not a myth: the positions come side by side, each cited, and it is never an answer key
    assert pro["standing"] == "contested" and not pro.get("answer")
    sides = {k for p in pro["positions"] for k in p["source"]}
    assert {"sdcep2017", "sicmf_sipmo2020", "awmf_s3_2018"} <= sides


# --- elective surgery ---------------------------------------------------------------------------------------

def test_oncology_implant_is_advised_against_citing_mascc():
    advice = prevention.elective_surgery_advice(make("bone_metastases", [ZOL_ONC], planned_procedure="implant"))
    assert_cited(advice)
    assert advice["advice"] == "avoid_elective"
    assert advice["source"] == ["mascc2019"] and advice["evidence"] == "guideline"
    assert "implants" in advice["action"]
    related = {r["id"] for r in advice["related"]}
    assert {"during-necessary-treatment", "during-implants-seed"} <= related


def test_oncology_denosumab_extraction_is_also_advised_against():
    advice = prevention.elective_surgery_advice(make("bone_metastases", [DMAB_ONC], planned_procedure="extraction"))
    assert advice["advice"] == "avoid_elective" and advice["dose_group"] == "oncologic"


def test_osteoporosis_extraction_may_proceed_with_precautions():
    advice = prevention.elective_surgery_advice(make("osteoporosis", [ALN], planned_procedure="extraction"))
    assert advice["advice"] == "proceed_with_precautions"
    assert "sdcep2017" in advice["source"]  # SDCEP: extractions in primary care (MASCC scopes its ban to oncology)
    assert "prev-prophylaxis-insufficient" in {r["id"] for r in advice["related"]}


def test_osteoporosis_denosumab_advice_points_to_the_timing_rules():
    advice = prevention.elective_surgery_advice(make("osteoporosis", [DMAB_OP], planned_procedure="implant"))
    related = {r["id"] for r in advice["related"]}
    assert {"dmab-ects2022", "dmab-sdcep2017", "during-implants-seed"} <= related
    for r in advice["related"]:
        assert_cited(r)


@pytest.mark.parametrize("indication,meds,proc,expected", [
    ("bone_metastases", [ZOL_ONC], "scaling", "routine"),
    ("bone_metastases", [ZOL_ONC], "biopsy", "necessary"),
    ("bone_metastases", [ZOL_ONC], None, "avoid_elective"),
    ("other", [BEV], "extraction", "no_verified_rule"),
    ("osteoporosis", [{**ALN, "current": False}], "extraction", "stopped"),
    ("bone_metastases", [], "extraction", "before_therapy"),
    ("other", [], "extraction", "no_exposure"),
])
def test_elective_surgery_advice_branches(indication, meds, proc, expected):
    advice = prevention.elective_surgery_advice(make(indication, meds, planned_procedure=proc))
    assert_cited(advice)
    assert advice["advice"] == expected
    assert advice["considered"] == (proc or "elective dentoalveolar surgery")


# --- drug holidays ------------------------------------------------------------------------------------------

def by_id(items):
    return {i["id"]: i for i in items}


@pytest.mark.parametrize("months,steroids,row", [
    (24, False, "holiday-aaoms2009-short"),
    (24, True, "holiday-aaoms2009-short-steroids"),
    (36, False, "holiday-aaoms2009-long"),
    (60, True, "holiday-aaoms2009-long"),
])
def test_aaoms2009_row_for_oral_bisphosphonate(months, steroids, row):
    case = make("osteoporosis", [{**ALN, "months": months}], risk_factors=["corticosteroids"] if steroids else [])
    items = by_id(prevention.drug_holiday_positions(case))
    rows_2009 = [i for i in items if i.startswith("holiday-aaoms2009")]
    assert rows_2009 == [row]
    assert items[row]["evidence"] == "guideline" and items[row]["source"] == ["aaoms2009"]
    assert items[row]["years"] == round(months / 12, 2) and items[row]["corticosteroids"] is steroids


def test_oral_bisphosphonate_positions_side_by_side():
    case = make("osteoporosis", [{**ALN, "months": 60}])
    items = prevention.drug_holiday_positions(case)
    for item in items:
        assert_cited(item)
        assert item["drug"] == "alendronate"
    guidelines = [i["guideline"] for i in items]
    assert guidelines == ["aaoms2009", "aaoms2014", "aaoms2022", "sdcep2017", "ects2022", "ects2022"]
    pos = by_id(items)
    assert pos["holiday-aaoms2009-long"]["holiday_months_before"] == 3
    assert pos["holiday-aaoms2009-long"]["holiday_months_after"] == 3
    # superseded rows never apply (issue 17); condition_met says whether the old rule would have matched
    assert pos["holiday-aaoms2014"]["applies"] is False and pos["holiday-aaoms2014"]["condition_met"] is True
    assert pos["holiday-aaoms2014"]["unverified"] is True
    assert pos["holiday-ects2022-bp"]["applies"] is True       # 5 years: SDCEP higher risk, ECTS pause considered
    assert pos["holiday-aaoms2022"]["evidence"] == "unverified"
    assert "prescriber" in pos["holiday-sdcep2017"]["action"]
    assert pos["holiday-ects2022-bp"]["pause_days_before_at_least"] == 7


def test_aaoms2014_row_condition_met_only_over_4_years_or_with_steroids_and_never_applies():
    short = by_id(prevention.drug_holiday_positions(make("osteoporosis", [{**ALN, "months": 30}])))
    assert short["holiday-aaoms2014"]["condition_met"] is False
    steroids = by_id(prevention.drug_holiday_positions(
        make("osteoporosis", [{**ALN, "months": 30}], risk_factors=["corticosteroids"])))
    assert steroids["holiday-aaoms2014"]["condition_met"] is True
    assert steroids["holiday-aaoms2014"]["applies"] is False     # superseded by AAOMS 2022 (issue 17)


def test_denosumab_positions_never_stop_it():
    items = by_id(prevention.drug_holiday_positions(make("osteoporosis", [DMAB_OP])))
    assert not any(i.startswith("holiday-aaoms2009") for i in items)
    assert items["holiday-ects2022-dmab"]["applies"] is True
    assert "Do not stop denosumab" in items["holiday-ects2022-dmab"]["action"]
    assert items["dmab-sdcep2017"]["applies"] is True
    assert items["dmab-aaoms2022"]["evidence"] == "unverified"


def test_oncology_positions_add_mascc_and_mark_osteoporosis_rules_not_applying():
    items = by_id(prevention.drug_holiday_positions(make("bone_metastases", [ZOL_ONC])))
    assert items["holiday-mascc2019"]["applies"] is True
    assert "insufficient" in items["holiday-mascc2019"]["action"]
    assert items["holiday-ects2022-bp"]["applies"] is False
    assert "holiday-aaoms2009-short" not in items   # the 2009 rows are for oral bisphosphonates


def test_stopped_and_other_drugs():
    items = prevention.drug_holiday_positions(
        make("osteoporosis", [{**ALN, "current": False}, {"drug": "romosozumab", "months": 6}]))
    assert [(i["drug"], i["id"]) for i in items] == [
        ("alendronate", "holiday-not-current"), ("romosozumab", "holiday-not-applicable")]
    assert prevention.drug_holiday_positions(make("osteoporosis", [])) == []


# --- the seed's surgical protocol -----------------------------------------------------------------------------

def test_surgical_protocol_elements_each_with_what_the_guidelines_say():
    items = by_id(prevention.surgical_protocol())
    assert set(items) == {"surg-asepsis", "surg-atraumatic", "surg-primary-closure", "surg-prior-suspension",
                          "surg-antibiotics", "surg-wonder-rinse"}
    for item in items.values():
        assert_cited(item)
        assert item["evidence"] == "seed_claim" and item["guidelines"] and item["action"] == item["seed"]
    assert "disagree" in items["surg-prior-suspension"]["guidelines"]
    assert "sdcep2017" in items["surg-antibiotics"]["source"]
    assert "no MRONJ guideline" in items["surg-wonder-rinse"]["guidelines"]


def test_ects_one_week_pause_is_not_applied_to_a_yearly_zoledronate_infusion():
    case = case_from_dict({"indication": "osteoporosis", "medications": [
        {"drug": "zoledronate", "months": 24, "current": True, "dose_mg": 5, "every_days": 365, "route": "iv"}]})
    ects = [r for r in prevention.drug_holiday_positions(case) if r["id"] == "holiday-ects2022-bp"]
    assert ects and ects[0]["applies"] is False and "yearly" in ects[0]["case_note"]
    oral = case_from_dict({"indication": "osteoporosis", "risk_factors": ["corticosteroids"], "medications": [
        {"drug": "alendronate", "months": 24, "current": True, "route": "oral"}]})     # high risk: the pause applies
    assert next(r for r in prevention.drug_holiday_positions(oral) if r["id"] == "holiday-ects2022-bp")["applies"]


def test_aaoms_2009_holiday_rows_are_history():
    case = case_from_dict({"indication": "osteoporosis", "medications": [
        {"drug": "alendronate", "months": 48, "current": True, "route": "oral"}]})
    rows = {r["id"]: r for r in prevention.drug_holiday_positions(case)}
    assert rows["holiday-aaoms2009-long"]["standing"] == "superseded"
    assert not rows["holiday-aaoms2009-long"].get("answer")


# --- Issue 17: W2 (ECTS 2022) and W5 (SDCEP higher-risk group) -------------------------------------------------

def test_w2_ects_low_risk_osteoporosis_patient_does_not_stop_the_bisphosphonate():
    """ECTS 2022 (Table 5): a low-risk osteoporosis patient keeps the bisphosphonate; a pause is for high risk."""
    low = by_id(prevention.drug_holiday_positions(make("osteoporosis", [ALN])))       # 2 years, no steroids
    assert low["holiday-ects2022-bp"]["applies"] is False
    assert low["holiday-ects2022-bp-low-risk"]["applies"] is True
    assert "not stop" in low["holiday-ects2022-bp-low-risk"]["action"]
    high = by_id(prevention.drug_holiday_positions(make("osteoporosis", [ALN], risk_factors=["corticosteroids"])))
    assert high["holiday-ects2022-bp"]["applies"] is True
    assert high["holiday-ects2022-bp-low-risk"]["applies"] is False


def test_w2_ects_antibiotic_advice_is_in_the_antibiotics_side_by_side():
    item = prevention.prophylaxis_advice()
    ects = [p for p in item["positions"] if "ects2022" in p["source"]]
    assert ects and "mouthwash" in ects[0]["says"] and "systemic antibiotics" in ects[0]["says"]


@pytest.mark.parametrize("meds,risk,group", [
    ([ALN], [], "lower"),
    ([{**ALN, "months": 60}], [], "higher"),                    # 5 years or more
    ([ALN], ["corticosteroids"], "higher"),                     # with systemic glucocorticoids
    ([DMAB_OP], [], "lower"),
    ([DMAB_OP], ["corticosteroids"], "higher"),
    ([ZOL_ONC], [], "higher"),                                  # cancer
    ([BEV], [], "higher"),                                      # antiangiogenic (cancer)
])
def test_w5_sdcep_risk_group(meds, risk, group):
    indication = "bone_metastases" if meds[0] in (ZOL_ONC, BEV) else "osteoporosis"
    case = make(indication, meds, risk_factors=risk)
    assert prevention.sdcep_risk_group(case) == group
    items = {i["id"]: i for i in prevention.during_therapy(case)}
    assert items["sdcep-risk-group"]["case_group"] == group
