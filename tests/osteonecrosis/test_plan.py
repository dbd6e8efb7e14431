"""The plan for a case (``make_plan``) and ``python -m osteonecrosis plan CASE``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from osteonecrosis import DISCLAIMER, case_from_dict, library
from osteonecrosis.cases import CASES_DIR, NONSPECIFIC_SIGNS, PROCEDURES, RISK_FACTORS, drug_catalogue
from osteonecrosis.management import seed_scheme, stage_actions
from osteonecrosis.plan import PLAN_KEYS, Plan, make_plan, plan_items

from tests.osteonecrosis.test_management import assert_cited


def make(indication="osteoporosis", meds=(), **extra):
    return case_from_dict({"indication": indication, "medications": list(meds), **extra})


ALN = {"drug": "alendronate", "months": 48, "current": True, "dose_mg": 70, "every_days": 7, "route": "oral"}
ZOL_ONC = {"drug": "zoledronate", "months": 12, "current": True, "dose_mg": 4, "every_days": 28}
DMAB_OP = {"drug": "denosumab", "months": 30, "current": True, "dose_mg": 60, "every_days": 182}
DMAB_ONC = {"drug": "denosumab", "months": 10, "current": True, "dose_mg": 120, "every_days": 28}

STAGE_CASES = {
    "at_risk": make("osteoporosis", [ALN]),
    "0": make("osteoporosis", [ALN], findings={"nonspecific": ["jaw_pain"]}),
    "1": make("osteoporosis", [ALN], findings={"exposed_bone": True, "weeks_persisting": 10}),
    "2": make("bone_metastases", [ZOL_ONC], findings={"exposed_bone": True, "weeks_persisting": 12, "pain": True}),
    "3": make("bone_metastases", [ZOL_ONC], findings={"exposed_bone": True, "weeks_persisting": 12,
                                                      "pathologic_fracture": True}),
}


def check_plan(plan: Plan) -> None:
    assert tuple(plan.to_dict()) == PLAN_KEYS
    json.dumps(plan.to_dict())
    assert plan.disclaimer == DISCLAIMER
    items = plan_items(plan)
    assert items
    for item in items:
        assert_cited(item)
    ids = [i["id"] for i in plan.management + plan.prevention]
    assert len(ids) == len(set(ids)), "duplicate plan items"


@pytest.mark.parametrize("code", list(STAGE_CASES))
def test_each_stage_plan_items_all_carry_resolving_sources_and_valid_evidence(code):
    plan = make_plan(STAGE_CASES[code])
    assert plan.stage == code and plan.staging["stage"] == code
    check_plan(plan)
    table = [i["id"] for i in stage_actions(code)]
    assert [i["id"] for i in plan.management[: len(table)]] == table


@pytest.mark.parametrize("code", ["at_risk", "0"])
def test_at_risk_and_stage0_plans_are_prevention_centred(code):
    plan = make_plan(STAGE_CASES[code])
    assert plan.focus == "prevention"
    assert plan.adjuncts_to_discuss == []
    assert len(plan.prevention) > len(plan.management)
    assert {"during-hygiene", "during-recall"} <= {i["id"] for i in plan.prevention}


@pytest.mark.parametrize("code", ["1", "2", "3"])
def test_treatment_plans_show_the_2022_shift_evidence_and_adjuncts(code):
    plan = make_plan(STAGE_CASES[code])
    assert plan.focus == "treatment"
    kinds = {i.get("kind") for i in plan.management}
    assert {"aaoms2022", "evidence", "drug_decision"} <= kinds
    assert all(i["standing"] != "superseded" for i in plan.management)
    history = plan.management_history
    assert history and all(i["standing"] == "superseded" for i in history)
    adj = {a["id"]: a for a in plan.adjuncts_to_discuss}
    assert adj["adj-wonder-rinse"]["flag"] == "not_recommended_by_mronj_guidelines"
    scheme = plan.seed_scheme
    assert scheme == seed_scheme(code)
    assert scheme["is_guideline"] is False and scheme["evidence"] == "seed_claim"
    assert scheme["study"]["evidence"] == "series" and scheme["action"]


def test_teriparatide_caution_is_raised_for_oncology_patients_only():
    onc = {a["id"]: a for a in make_plan(STAGE_CASES["2"]).adjuncts_to_discuss}
    op = {a["id"]: a for a in make_plan(STAGE_CASES["1"]).adjuncts_to_discuss}
    assert onc["adj-teriparatide"]["case_caution"]["evidence"] == "label"
    assert onc["adj-teriparatide"]["contraindicated"] is True
    assert "case_caution" not in op["adj-teriparatide"]


def test_radiotherapy_case_says_think_osteoradionecrosis_and_still_gives_prevention():
    case = make("bone_metastases", [ZOL_ONC], jaw_radiotherapy=True,
                findings={"exposed_bone": True, "weeks_persisting": 20})
    plan = make_plan(case)
    check_plan(plan)
    assert plan.stage == "not_mronj" and plan.focus == "not_mronj"
    assert plan.management[0]["id"] == "not-mronj-radiotherapy"
    assert "osteoradionecrosis" in plan.management[0]["action"]
    assert plan.prevention
    assert plan.seed_scheme["action"] is None


def test_short_exposure_says_re_evaluate_after_8_weeks():
    case = make("osteoporosis", [ALN], findings={"exposed_bone": True, "weeks_persisting": 5})
    plan = make_plan(case)
    check_plan(plan)
    first = plan.management[0]
    assert first["id"] == "not-mronj-short" and first["re_evaluate_after_weeks"] == 8
    assert "drug-decision-prescriber" in {i["id"] for i in plan.management}
    assert plan.management[1]["id"] == "window-never-defers-treatment"


def test_before_therapy_plan_is_the_pretreatment_checklist():
    case = make("bone_metastases", [], risk_factors=["periodontitis"], planned_procedure="extraction")
    plan = make_plan(case)
    check_plan(plan)
    assert plan.focus == "before_therapy"
    ids = [i["id"] for i in plan.prevention]
    assert ids[:3] == ["pre-assessment", "pre-coordinated-plan", "pre-finish-necessary"]
    assert plan.procedure_advice["elective_surgery"]["advice"] == "before_therapy"


def test_no_drug_case_is_not_mronj_with_minimal_prevention():
    plan = make_plan(make("other", [], findings={"exposed_bone": True, "weeks_persisting": 10}))
    check_plan(plan)
    assert [i["id"] for i in plan.management] == ["not-mronj-no-drug"]
    assert plan.drug_holiday == []


def test_planned_extraction_on_denosumab_gives_both_timing_windows():
    case = make("osteoporosis", [{**DMAB_OP, "last_dose": "2024-01-15"}], planned_procedure="extraction",
                assessed_on="2024-05-02")
    plan = make_plan(case)
    check_plan(plan)
    proc = plan.procedure_advice
    ects, sdcep, urgent = proc["denosumab_windows"]
    assert urgent["id"] == "dmab-urgent-proceeds"
    assert (ects["guideline"], ects["procedure_earliest"], ects["procedure_latest"]) == (
        "ects2022", "2024-06-15", "2024-07-15")
    assert (sdcep["guideline"], sdcep["procedure_earliest"], sdcep["procedure_latest"]) == (
        "sdcep2017", "2024-06-15", "2024-07-14")
    assert proc["elective_surgery"]["advice"] == "proceed_with_precautions"
    assert [s["id"] for s in proc["surgical_protocol"]][0] == "surg-asepsis"
    assert proc["prophylaxis"]["standing"] == "contested" and "sdcep2017" in proc["prophylaxis"]["source"]


def test_denosumab_without_last_dose_asks_for_it():
    plan = make_plan(make("osteoporosis", [DMAB_OP], planned_procedure="extraction"))
    assert [w["id"] for w in plan.procedure_advice["denosumab_windows"]] == ["dmab-urgent-proceeds"]
    assert "last_dose" in plan.procedure_advice["note"]


def test_oncology_implant_plan_advises_against_elective_surgery_citing_mascc():
    case = make("bone_metastases", [{**DMAB_ONC, "last_dose": "2024-01-15"}], planned_procedure="implant")
    plan = make_plan(case)
    check_plan(plan)
    advice = plan.procedure_advice["elective_surgery"]
    assert advice["advice"] == "avoid_elective" and "mascc2019" in advice["source"]
    assert [w["id"] for w in plan.procedure_advice["denosumab_windows"]] == ["dmab-urgent-proceeds"]
    assert "oncologic dose" in plan.procedure_advice["note"]


def test_non_invasive_procedure_has_no_surgical_protocol():
    plan = make_plan(make("bone_metastases", [ZOL_ONC], planned_procedure="scaling"))
    assert plan.procedure_advice["elective_surgery"]["advice"] == "routine"
    assert plan.procedure_advice["surgical_protocol"] == []


def test_no_procedure_no_procedure_advice():
    assert make_plan(STAGE_CASES["at_risk"]).procedure_advice is None


def test_drug_holiday_positions_are_side_by_side_in_the_plan():
    plan = make_plan(make("osteoporosis", [ALN], planned_procedure="extraction"))
    guidelines = [h["guideline"] for h in plan.drug_holiday]
    assert guidelines == ["aaoms2009", "aaoms2014", "aaoms2022", "sdcep2017", "ects2022", "ects2022"]


def test_every_library_case_gets_a_sound_plan():
    cases = library()
    assert cases, "the case library is empty"
    for case_id, case in cases.items():
        plan = make_plan(case)
        check_plan(plan)
        assert plan.case_id == case_id
        expected = case.extra.get("expected_stage")
        if expected is not None:
            assert plan.stage == str(expected), case_id


_DRUGS = sorted(drug_catalogue())
_med = st.fixed_dictionaries(
    {"drug": st.sampled_from(_DRUGS), "months": st.integers(0, 150), "current": st.booleans()},
    optional={"dose_mg": st.sampled_from([4, 5, 60, 70, 120]), "every_days": st.sampled_from([7, 28, 182, 365]),
              "last_dose": st.dates(min_value=__import__("datetime").date(2015, 1, 1)).map(str)},
)
_case = st.fixed_dictionaries({
    "indication": st.sampled_from(["osteoporosis", "bone_metastases", "multiple_myeloma", "paget", "other"]),
    "medications": st.lists(_med, max_size=3),
    "jaw_radiotherapy": st.booleans(),
    "jaw_metastasis": st.booleans(),
    "findings": st.fixed_dictionaries({
        "exposed_bone": st.booleans(), "fistula_probes_to_bone": st.booleans(),
        "weeks_persisting": st.integers(0, 30), "pain": st.booleans(), "infection": st.booleans(),
        "pathologic_fracture": st.booleans(), "nonspecific": st.lists(st.sampled_from(NONSPECIFIC_SIGNS), max_size=2),
    }),
    "risk_factors": st.lists(st.sampled_from(RISK_FACTORS), max_size=3, unique=True),
    "planned_procedure": st.one_of(st.none(), st.sampled_from(PROCEDURES)),
})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case)
def test_any_valid_case_gets_a_cited_json_plan(data):
    check_plan(make_plan(case_from_dict(data)))


# --- the command line -----------------------------------------------------------------------------------------

def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "osteonecrosis", *args], capture_output=True, text=True,
                          timeout=60)


def test_cli_plan_prints_one_json_object():
    path = next(iter(sorted(CASES_DIR.glob("*.yaml"))))
    proc = run("plan", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""
    out = json.loads(proc.stdout)
    assert out["stage"] in ("not_mronj", "at_risk", "0", "1", "2", "3")
    assert out["disclaimer"] == DISCLAIMER


def test_cli_plan_of_a_json_case_with_a_planned_implant(tmp_path):
    case = tmp_path / "implant.json"
    case.write_text(json.dumps({"indication": "bone_metastases", "medications": [ZOL_ONC],
                                "planned_procedure": "implant"}))
    proc = run("plan", str(case))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["procedure_advice"]["elective_surgery"]["advice"] == "avoid_elective"


@pytest.mark.parametrize("text,word", [
    ("indication: osteoporosis\nmedications: [{drug: aspirin, months: 3}]\n", "drug"),
    ("indication: osteoporosis\nmedications: []\nplanned_procedure: tattoo\n", "planned_procedure"),
    ("indication: osteoporosis\nmedications: [{drug: denosumab, months: 3, last_dose: soon}]\n", "last_dose"),
    ("indication: [osteoporosis\n", "broken YAML"),
])
def test_cli_plan_bad_input_exits_2_with_one_stderr_line(tmp_path, text, word):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    proc = run("plan", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0]
    assert "Traceback" not in proc.stderr


def test_cli_plan_missing_file_exits_2(tmp_path):
    proc = run("plan", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "no such case file" in proc.stderr


# --- Issue 10: harmful outputs in the plan ------------------------------------------------------------------

def _teriparatide(plan):
    return next(a for a in plan.adjuncts_to_discuss if a["id"] == "adj-teriparatide")


def test_plan_refuses_teriparatide_for_paget_with_cited_reason():
    from osteonecrosis import library
    plan = make_plan(library()["paget-stopped-stage3"])
    tpt = _teriparatide(plan)
    assert tpt["contraindicated"] is True
    assert "Paget" in tpt["case_caution"]["text"] and "teriparatide_label" in tpt["case_caution"]["source"]
    assert [c["id"] for c in tpt["contraindications"]] == ["tpt-ci-paget"]
    assert all(c["source"] and c["evidence"] for c in tpt["contraindications"])


@pytest.mark.parametrize("history, ci", [
    (["raised_alkaline_phosphatase_unexplained"], "tpt-ci-alp"),
    (["skeletal_radiotherapy"], "tpt-ci-radiation"),
    (["skeletal_malignancy"], "tpt-ci-malignancy"),
])
def test_plan_warns_on_every_teriparatide_contraindication(history, ci):
    case = make("osteoporosis", [{"drug": "alendronate", "months": 60, "current": True}],
                findings={"exposed_bone": True, "weeks_persisting": 12, "pain": True}, medical_history=history)
    tpt = _teriparatide(make_plan(case))
    assert tpt["contraindicated"] and ci in [c["id"] for c in tpt["contraindications"]]


def test_plan_teriparatide_without_contraindication_carries_its_evidence_rating():
    case = make("osteoporosis", [{"drug": "alendronate", "months": 60, "current": True}],
                findings={"exposed_bone": True, "weeks_persisting": 12, "pain": True})
    tpt = _teriparatide(make_plan(case))
    assert tpt["contraindicated"] is False and "case_caution" not in tpt
    assert tpt["evidence_rating"]["id"] == "teriparatide-evidence-insufficient"


def test_plan_for_numb_lip_puts_metastasis_work_up_first():
    from osteonecrosis import library
    plan = make_plan(library()["onc-denosumab-stage0"])
    assert plan.stage == "0"
    assert plan.management[0]["id"] == "numb-chin-workup"
    assert any("metastasis work-up" in w for w in plan.warnings)


def test_plan_in_the_eight_week_window_says_treat_the_complications_now():
    case = make("bone_metastases", [{"drug": "zoledronate", "months": 24, "current": True}],
                findings={"exposed_bone": True, "weeks_persisting": 6, "pathologic_fracture": True})
    plan = make_plan(case)
    assert plan.stage == "not_mronj"
    item = next(i for i in plan.management if i["id"] == "window-never-defers-treatment")
    assert item["present"] == ["pathologic fracture"] and "never defers" in item["text"]
    assert item["source"] and item["evidence"]


def test_every_seed_claim_in_a_plan_comes_with_its_audit():
    """The seeds' advice (e.g. 'avoid extractions') is never printed without its audit."""
    from osteonecrosis import library
    for case_id, case in library().items():
        plan = make_plan(case)
        for item in plan_items(plan):
            if item.get("evidence") == "seed_claim" and item.get("kind") != "seed_claim":
                assert item.get("audit") or item.get("guidelines"), (case_id, item["id"])


# --- Issue 17: the second clinical review, one test per finding -------------------------------------------------

import datetime as _dt  # noqa: E402
import re  # noqa: E402

from osteonecrosis.plan import plan_text  # noqa: E402


def _ago(days: int) -> str:
    return (_dt.date.today() - _dt.timedelta(days=days)).isoformat()


DMAB_STOPPED_7M = {"drug": "denosumab", "months": 36, "current": False, "dose_mg": 60, "every_days": 182,
                   "last_dose": _ago(213)}


@pytest.mark.parametrize("med", [
    DMAB_STOPPED_7M,
    {**DMAB_STOPPED_7M, "last_dose": None},
    {**DMAB_OP, "last_dose": _ago(270)},                     # current but 9 months since the last dose: overdue
], ids=["stopped-with-date", "stopped-no-date", "overdue"])
def test_h1_denosumab_not_current_warns_of_rebound_and_sends_to_the_prescriber(med):
    """H1: ECTS 2021 (denosumab_rebound): stopping denosumab without a follow-on drug causes rebound bone loss and
    multiple vertebral fractures; the bisphosphonate 'persists in bone for years' text never applies to it."""
    med = {k: v for k, v in med.items() if v is not None}
    plan = make_plan(make("osteoporosis", [med], planned_procedure="extraction"))
    check_plan(plan)
    text = plan_text(plan)
    assert "rebound" in text and "multiple vertebral fractures" in text
    assert "contact the prescriber now" in text.lower()
    assert "overdue" in text
    assert any("rebound" in w for w in plan.warnings)
    holiday = [r for r in plan.drug_holiday if r["drug"] == "denosumab"]
    assert holiday and not any("persists in bone" in r["action"] for r in holiday)
    assert "persists in bone" not in plan.procedure_advice["elective_surgery"]["action"]
    if "last_dose" in med:
        windows = plan.procedure_advice["denosumab_windows"]
        assert [w["guideline"] for w in windows][:2] == ["ects2022", "sdcep2017"]
        assert all(w["denosumab_status"] in ("stopped", "overdue") for w in windows[:2])


def test_w1_antiangiogenic_alone_is_taught_both_ways_and_managed_like_mronj():
    """W1: AAOMS 2022 criterion 1 excludes an antiangiogenic drug alone; AAOMS 2014 and MASCC/ISOO/ASCO 2019
    count it. Either way the lesion is managed and prevented as MRONJ is."""
    bev = {"drug": "bevacizumab", "months": 8, "current": True}
    plan = make_plan(make("other", [bev], findings={"exposed_bone": True, "weeks_persisting": 12, "pain": True},
                          planned_procedure="extraction"))
    check_plan(plan)
    ids = [i["id"] for i in plan.management]
    assert "not-mronj-no-drug" not in ids
    assert "not-mronj-antiangiogenic-only" in ids
    text = plan_text(plan)
    assert "No antiresorptive or antiangiogenic drug, ever" not in text
    assert "AAOMS 2014" in text and "MASCC/ISOO/ASCO 2019" in text
    assert plan.staging["stage_if_antiangiogenic_counts"] == "2"
    assert "aaoms2022-nonoperative-2" in ids           # managed as the stage it would be under 2014/2019
    assert "refer-specialist" in ids
    related = {i["id"] for i in plan.procedure_advice["elective_surgery"]["related"]}
    assert "bevacizumab-surgery-hold" in related


def test_imprecise_every_suspected_or_staged_case_is_referred():
    """SDCEP / AAOMS 2022: suspected or established MRONJ goes to a specialist (oral surgery / oral medicine)."""
    for code, case in STAGE_CASES.items():
        ids = {i["id"] for i in make_plan(case).management}
        assert ("refer-specialist" in ids) == (code != "at_risk"), code
    short = make_plan(make("osteoporosis", [ALN], findings={"exposed_bone": True, "weeks_persisting": 6}))
    assert "refer-specialist" in {i["id"] for i in short.management}


def test_imprecise_exposed_bone_at_6_weeks_is_suspected_mronj_not_a_bare_not_mronj():
    plan = make_plan(make("osteoporosis", [ALN], findings={"exposed_bone": True, "weeks_persisting": 6,
                                                           "infection": True}))
    assert plan.stage == "not_mronj"
    assert plan.stage_label.startswith("Suspected MRONJ")
    assert "does not yet meet the 8-week definition" in plan.stage_label
    first = plan.management[0]["action"]
    assert "treat" in first.lower() and "infection" in first and "re-examine" in first


@pytest.mark.parametrize("code", ["1", "2", "3"])
def test_imprecise_no_stage_1_to_3_plan_says_primary_care_surgery(code):
    case = STAGE_CASES[code]
    data = {k: v for k, v in case.to_dict().items() if v is not None}
    data["planned_procedure"] = "extraction"
    plan = make_plan(case_from_dict(data))
    assert not re.search(r"primary (dental )?care", plan_text(plan), re.IGNORECASE)
    assert plan.procedure_advice["elective_surgery"]["advice"] == "specialist"


def test_imprecise_superseded_aaoms_2009_holiday_row_never_applies():
    plan = make_plan(STAGE_CASES["1"])
    rows = [r for r in plan.drug_holiday if r.get("standing") == "superseded"]
    assert rows and not any(r["applies"] for r in rows)


def test_imprecise_irradiated_jaw_gets_the_osteoradionecrosis_items():
    """ORN: dose to the site (risk above about 60 Gy, Studer 2015), the head-and-neck team, and HOPON (Shaw 2019):
    prophylactic HBO gave no benefit."""
    plan = make_plan(make("bone_metastases", [ZOL_ONC], jaw_radiotherapy=True, planned_procedure="extraction"))
    ids = {i["id"] for i in plan.management}
    assert {"orn-dose-to-site", "orn-specialist-team", "orn-hopon-no-prophylactic-hbo"} <= ids
    hopon = next(i for i in plan.management if i["id"] == "orn-hopon-no-prophylactic-hbo")
    assert "hopon2019" in hopon["source"]


def test_imprecise_urgent_treatment_proceeds_whatever_the_denosumab_window():
    case = make("osteoporosis", [{**DMAB_OP, "last_dose": _ago(30)}], planned_procedure="extraction")
    plan = make_plan(case)
    ids = {i["id"] for i in plan.procedure_advice["denosumab_windows"]}
    assert "dmab-urgent-proceeds" in ids


def test_imprecise_stage_3_reasons_say_how_the_rule_differs_from_the_aaoms_wording():
    plan = make_plan(STAGE_CASES["3"])     # pathologic fracture without pain or infection
    text = " ".join(plan.staging["reasons"])
    assert "pain and infection" in text and "teaching rule" in text
