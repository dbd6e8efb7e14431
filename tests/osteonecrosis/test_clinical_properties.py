"""Clinical safety invariants over the whole case contract (issue 17), checked on thousands of generated cases.

One strategy (:func:`contract_cases`) draws cases from the WHOLE case contract: every drug of the catalogue
(current, stopped, with or without a last dose, overdue), every dose regimen or none, every indication, each
finding alone and together, jaw radiotherapy and metastasis, ages from childhood to old age, every planned
procedure, every risk factor and medical-history entry. Each test states one clinical invariant and cites the
guideline statement it encodes.

Where an invariant concerns a part of the case space (a stopped denosumab, an antiangiogenic drug alone, an
irradiated jaw ...), its strategy maps every drawn case into that part, so all of its cases test it. Generation is
derandomized (no flaky tests). The number of cases each invariant checked is recorded in :data:`CASES_SEEN` and
printed by the last test of the file.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from osteonecrosis import case_from_dict
from osteonecrosis.cases import (
    INDICATIONS,
    MEDICAL_HISTORY,
    NONSPECIFIC_SIGNS,
    PROCEDURES,
    RISK_FACTORS,
    STAGE3_FINDINGS,
    Case,
    Findings,
    Medication,
    drug_catalogue,
)
from osteonecrosis.plan import Plan, make_plan, plan_items, plan_text
from osteonecrosis.staging import stage, stage_order

# The visit date of every generated case: dates (last dose, overdue) are judged on it, so nothing depends on the
# day the tests run.
VISIT = dt.date(2026, 6, 1)
EXAMPLES = 1000
STAGE_EXAMPLES = 2000
CASES_SEEN: Counter[str] = Counter()

PLAN_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much])
STAGE_SETTINGS = settings(max_examples=STAGE_EXAMPLES, deadline=None, database=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much])

BOOL_FINDINGS = ("exposed_bone", "fistula_probes_to_bone", "pain", "infection", *STAGE3_FINDINGS)
SPECIALIST_STAGES = ("0", "1", "2", "3")
PRIMARY_CARE = re.compile(r"primary (dental )?care", re.IGNORECASE)


# --- the strategy ------------------------------------------------------------------------------------------------
# Few, wide draws decoded by plain functions: hypothesis costs about half a millisecond per draw-heavy example, so
# each case is a handful of integers (bit masks and indices) rather than dozens of small draws.

DRUGS: tuple[str, ...] = tuple(sorted(drug_catalogue()))
MONTHS: tuple[int, ...] = (0, 1, 6, 18, 30, 47, 48, 59, 60, 120)
AGES: tuple[int, ...] = (6, 12, 16, 35, 55, 71, 88)
WEEKS: tuple[float, ...] = (0, 2, 6, 8, 8.5, 12, 26, 52)
FINDING_BITS: tuple[str, ...] = (*BOOL_FINDINGS, *NONSPECIFIC_SIGNS)


def _mask(width: int) -> st.SearchStrategy[int]:
    """None, exactly one, or any combination of ``width`` flags (each finding alone and in combination)."""
    return st.one_of(st.just(0), st.sampled_from([1 << i for i in range(width)]), st.integers(0, (1 << width) - 1))


def _sparse(width: int) -> st.SearchStrategy[int]:
    """At most two of ``width`` flags (risk factors, history: a few per patient)."""
    return st.tuples(st.integers(-1, width - 1), st.integers(-1, width - 1)).map(
        lambda ab: sum(1 << i for i in set(ab) if i >= 0))


def _medication(code: tuple[int, int, int, int]) -> dict[str, Any]:
    drug_i, months_i, flags, n = code
    drug = DRUGS[drug_i]
    med: dict[str, Any] = {"drug": drug, "months": MONTHS[months_i], "current": bool(flags & 1)}
    regimens = drug_catalogue()[drug].get("regimens") or []
    if regimens and flags & 2:
        reg = regimens[n % len(regimens)]
        med.update(dose_mg=reg["dose_mg"], every_days=reg["every_days"])
        if flags & 4:
            med["route"] = reg["route"]
    if flags & 8:
        # from 2 weeks to 18 months before the visit: current, stopped, or overdue when still 'current'
        med["last_dose"] = (VISIT - dt.timedelta(days=14 + n % 527)).isoformat()
    return med


MEDICATION = st.tuples(st.integers(0, len(DRUGS) - 1), st.integers(0, len(MONTHS) - 1), st.integers(0, 15),
                       st.integers(0, 10_000)).map(_medication)


def _findings(code: tuple[int, int]) -> dict[str, Any]:
    mask, weeks_i = code
    out: dict[str, Any] = {k: True for i, k in enumerate(BOOL_FINDINGS) if mask >> i & 1}
    signs = [s for i, s in enumerate(NONSPECIFIC_SIGNS) if mask >> (len(BOOL_FINDINGS) + i) & 1]
    if signs:
        out["nonspecific"] = signs
    out["weeks_persisting"] = WEEKS[weeks_i]
    return out


def _case(code: tuple[Any, ...]) -> dict[str, Any]:
    age_i, ind_i, meds, flags, risk, history, proc_i, found = code
    return {
        "patient": {"age": AGES[age_i]},
        "indication": INDICATIONS[ind_i],
        "medications": meds,
        "jaw_radiotherapy": flags % 4 == 3,
        "jaw_metastasis": flags // 4 % 4 == 3,
        "findings": found,
        "risk_factors": [r for i, r in enumerate(RISK_FACTORS) if risk >> i & 1],
        "medical_history": [h for i, h in enumerate(MEDICAL_HISTORY) if history >> i & 1],
        "planned_procedure": PROCEDURES[proc_i] if proc_i >= 0 else None,
        "assessed_on": VISIT.isoformat(),
    }


def contract_cases() -> st.SearchStrategy[dict[str, Any]]:
    """Contract-shaped data (the YAML/JSON a case file holds) from the whole case space: every drug and regimen,
    current / stopped / overdue, every indication, each finding alone and together, radiotherapy (1 in 4),
    metastasis (1 in 4), children to the old, every procedure or none, risk factors and history."""
    return st.tuples(
        st.integers(0, len(AGES) - 1), st.integers(0, len(INDICATIONS) - 1), st.lists(MEDICATION, max_size=3),
        st.integers(0, 15), _sparse(len(RISK_FACTORS)), _sparse(len(MEDICAL_HISTORY)),
        st.integers(-1, len(PROCEDURES) - 1),
        st.tuples(_mask(len(FINDING_BITS)), st.integers(0, len(WEEKS) - 1)).map(_findings),
    ).map(_case)


def _with(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out.update(changes)
    return out


def _stopped_or_overdue_denosumab(pair: tuple[dict[str, Any], int]) -> dict[str, Any]:
    data, n = pair
    med: dict[str, Any] = {"drug": "denosumab", "months": MONTHS[1 + n % 9]}
    if n % 3 == 0:       # overdue: still 'current', last 60 mg dose 8 to 18 months ago
        med.update(current=True, dose_mg=60, every_days=182,
                   last_dose=(VISIT - dt.timedelta(days=240 + n % 300)).isoformat())
    else:                # stopped, with or without a last dose and a dose
        med["current"] = False
        if n % 3 == 1:
            med["last_dose"] = (VISIT - dt.timedelta(days=30 + n % 500)).isoformat()
        if n % 2:
            med.update(dose_mg=60, every_days=182)
    return _with(data, medications=[med, *data["medications"]][:3])


def _antiangiogenic_alone(data: dict[str, Any]) -> dict[str, Any]:
    angio = [m for m in data["medications"] if not drug_catalogue()[m["drug"]]["antiresorptive"]]
    drug = ("bevacizumab", "sunitinib", "aflibercept", "cabozantinib")[len(data["findings"]) % 4]
    return _with(data, medications=angio or [{"drug": drug, "months": 8, "current": True}])


def _lesion_over_8_weeks_with_a_stage3_feature(pair: tuple[dict[str, Any], int]) -> dict[str, Any]:
    data, i = pair
    found = {**data["findings"], "exposed_bone": True, "weeks_persisting": 12, STAGE3_FINDINGS[i]: True}
    meds = data["medications"] if any(drug_catalogue()[m["drug"]]["antiresorptive"] and (m["months"] or m["current"])
                                      for m in data["medications"]) else [{"drug": "zoledronate", "months": 24}]
    return _with(data, findings=found, medications=meds, jaw_radiotherapy=False, jaw_metastasis=False)


def _suspected_or_staged(data: dict[str, Any]) -> dict[str, Any]:
    """An exposed patient without exclusions and with a lesion or a stage-0 finding."""
    meds = data["medications"] if any(drug_catalogue()[m["drug"]]["antiresorptive"] and (m["months"] or m["current"])
                                      for m in data["medications"]) else [{"drug": "alendronate", "months": 60}]
    found = dict(data["findings"])
    if len(found) == 1:          # no finding drawn: give one (alternately exposed bone and a nonspecific sign)
        found.update({"exposed_bone": True} if data["patient"]["age"] % 2 else {"nonspecific": ["jaw_pain"]})
    return _with(data, medications=meds, findings=found, jaw_radiotherapy=False, jaw_metastasis=False,
                 planned_procedure=data["planned_procedure"] or "extraction")


def _denosumab_and_procedure(pair: tuple[dict[str, Any], int]) -> dict[str, Any]:
    data, n = pair
    med = {"drug": "denosumab", "months": 30, "current": n % 4 != 0}
    if n % 2:
        med.update(dose_mg=(60, 120)[n // 2 % 2], every_days=(182, 28)[n // 2 % 2])
    if n % 3:
        med["last_dose"] = (VISIT - dt.timedelta(days=14 + n % 400)).isoformat()
    return _with(data, medications=[med, *data["medications"]][:3], planned_procedure=PROCEDURES[n % len(PROCEDURES)])


def _bevacizumab_and_invasive(pair: tuple[dict[str, Any], int]) -> dict[str, Any]:
    data, n = pair
    return _with(data, medications=[{"drug": "bevacizumab", "months": 4, "current": True}, *data["medications"]][:3],
                 planned_procedure=("extraction", "implant", "alveoloplasty", "periodontal_surgery")[n % 4])


def _on_an_oral_bisphosphonate(pair: tuple[dict[str, Any], int]) -> dict[str, Any]:
    data, n = pair
    drug = ("alendronate", "risedronate", "ibandronate")[n % 3]
    med = {"drug": drug, "months": MONTHS[1 + n % 9], "current": True, "route": "oral"}
    return _with(data, medications=[med, *data["medications"]][:3],
                 indication=("osteoporosis", "paget", "other")[n // 3 % 3])


def _irradiated(data: dict[str, Any]) -> dict[str, Any]:
    return _with(data, jaw_radiotherapy=True)


N = st.integers(0, 10_000)
STOPPED_DENOSUMAB = st.tuples(contract_cases(), N).map(_stopped_or_overdue_denosumab)
ANTIANGIOGENIC_ALONE = contract_cases().map(_antiangiogenic_alone)
STAGE3 = st.tuples(contract_cases(), st.integers(0, len(STAGE3_FINDINGS) - 1)).map(
    _lesion_over_8_weeks_with_a_stage3_feature)
SUSPECTED_OR_STAGED = contract_cases().map(_suspected_or_staged)
DENOSUMAB_PROCEDURE = st.tuples(contract_cases(), N).map(_denosumab_and_procedure)
BEVACIZUMAB_INVASIVE = st.tuples(contract_cases(), N).map(_bevacizumab_and_invasive)
IRRADIATED = contract_cases().map(_irradiated)
ORAL_BISPHOSPHONATE = st.tuples(contract_cases(), N).map(_on_an_oral_bisphosphonate)


def build(data: dict[str, Any]) -> Case:
    """The Case the loader builds from contract data, built directly (the jsonschema check is what costs time;
    :func:`test_engine_never_raises_on_a_valid_contract_case` checks both builds agree)."""
    f = data.get("findings") or {}
    return Case(
        indication=data["indication"],
        medications=tuple(Medication(
            drug=m["drug"], months=float(m["months"]), current=m.get("current", True), dose_mg=m.get("dose_mg"),
            every_days=m.get("every_days"), route=m.get("route"),
            last_dose=dt.date.fromisoformat(m["last_dose"]) if m.get("last_dose") else None,
        ) for m in data["medications"]),
        findings=Findings(**{k: (tuple(v) if k == "nonspecific" else v) for k, v in f.items()}),
        jaw_radiotherapy=data.get("jaw_radiotherapy", False),
        jaw_metastasis=data.get("jaw_metastasis", False),
        risk_factors=tuple(data.get("risk_factors", ())),
        planned_procedure=data.get("planned_procedure"),
        medical_history=tuple(data.get("medical_history", ())),
        assessed_on=dt.date.fromisoformat(data["assessed_on"]),
        patient=dict(data.get("patient") or {}),
    )


_PLANS: dict[str, Any] = {}


def plan_of(data: dict[str, Any]) -> Plan:
    """The plan of a generated case, computed once per distinct case for all the invariants."""
    key = json.dumps(data, sort_keys=True)
    if key not in _PLANS:
        _PLANS[key] = make_plan(build(data))
    return _PLANS[key]


def seen(name: str) -> None:
    CASES_SEEN[name] += 1


def _given(case: Case, predicate: Any) -> list[Medication]:
    return [m for m in case.medications if (m.months > 0 or m.current) and predicate(m)]


def _is_bp(m: Medication) -> bool:
    return str(drug_catalogue()[m.drug]["class"]).endswith("bisphosphonate")


def _antiresorptive(m: Medication) -> bool:
    return bool(drug_catalogue()[m.drug]["antiresorptive"])


def _dmab_not_current(case: Case) -> bool:
    for m in case.medications:
        if m.drug != "denosumab" or not (m.months > 0 or m.current):
            continue
        if not m.current:
            return True
        if m.last_dose is not None:
            oncology = case.indication in ("bone_metastases", "multiple_myeloma")
            interval = 28 if (m.dose_mg == 120 or (m.dose_mg is None and oncology)) else 182
            if (VISIT - m.last_dose).days > interval + 28:
                return True
    return False


# --- H1: denosumab that is not current -----------------------------------------------------------------------------

@PLAN_SETTINGS
@given(STOPPED_DENOSUMAB)
def test_h1_denosumab_not_current_always_warns_of_rebound_and_sends_to_the_prescriber(data):
    """ECTS 2021 position on denosumab discontinuation (Anastasilakis 2021) and ECTS 2022 Table 5: denosumab is
    never stopped without a follow-on antiresorptive (rebound bone loss, multiple vertebral fractures; the next
    dose no more than 4 weeks late). Any denosumab that is stopped or overdue: the plan warns of the rebound and
    says to contact the prescriber now; no denosumab row says 'persists in bone' (that is bisphosphonate
    pharmacology, SDCEP)."""
    case = build(data)
    plan = plan_of(data)
    for row in plan.drug_holiday:
        if row["drug"] == "denosumab":
            assert "persists in bone" not in row["action"]
    if not _dmab_not_current(case):
        return
    seen("H1 denosumab stopped/overdue -> rebound + prescriber now")
    warning = " ".join(plan.warnings)
    assert "rebound" in warning and "multiple vertebral fractures" in warning
    assert "contact the prescriber now" in warning.lower() and "overdue" in warning
    proc = plan.procedure_advice
    if proc is not None:
        if not any(_is_bp(m) for m in _given(case, _antiresorptive)):
            assert "persists in bone" not in proc["elective_surgery"]["action"]
        first = next(m for m in case.medications if m.drug == "denosumab" and (m.months > 0 or m.current))
        six_monthly = first.dose_mg == 60 or (
            first.dose_mg is None and case.indication not in ("bone_metastases", "multiple_myeloma"))
        if first.last_dose is not None and six_monthly:
            windows = {w["id"] for w in proc["denosumab_windows"]}
            assert {"dmab-ects2022", "dmab-sdcep2017"} <= windows, "windows for stopped/overdue denosumab too"


# --- H2: symptoms or findings without exposed bone --------------------------------------------------------------

@STAGE_SETTINGS
@given(contract_cases())
def test_h2_any_symptom_or_finding_with_exposure_and_no_exposed_bone_is_stage_0(data):
    """AAOMS 2022 (ECTS 2022 Table 3 quoting it): stage 0 = no clinical evidence of necrotic bone but nonspecific
    symptoms or clinical/radiographic findings; 'at risk' = exposed to the drug with none of these. So with
    antiresorptive exposure, no exclusion and no exposed or probeable bone, any nonspecific sign, pain,
    infection or stage-3-type finding gives stage 0, never at_risk; with none of them, at_risk."""
    case = build(data)
    f = case.findings
    if f.exposed_bone or f.fistula_probes_to_bone or case.jaw_radiotherapy or case.jaw_metastasis:
        return
    if not _given(case, _antiresorptive):
        return
    seen("H2 symptom/finding without exposed bone -> stage 0")
    anything = bool(f.nonspecific) or f.pain or f.infection or any(getattr(f, k) for k in STAGE3_FINDINGS)
    assert stage(case).stage == ("0" if anything else "at_risk")


# --- W1: antiangiogenic alone ---------------------------------------------------------------------------------

@PLAN_SETTINGS
@given(ANTIANGIOGENIC_ALONE)
def test_w1_antiangiogenic_alone_is_never_told_no_drug_and_is_taught_both_ways(data):
    """AAOMS 2022 criterion 1 (antiresorptive therapy, alone or with immune modulators or antiangiogenic drugs)
    excludes an antiangiogenic drug alone; AAOMS 2014 and MASCC/ISOO/ASCO 2019 ('antiresorptive or
    antiangiogenic') count it. The plan never says 'no antiresorptive or antiangiogenic drug, ever', names both
    readings, and refers a lesion as it would refer MRONJ."""
    case = build(data)
    given_meds = _given(case, lambda m: True)
    if not given_meds or any(_antiresorptive(m) for m in given_meds):
        return
    seen("W1 antiangiogenic alone -> both readings, never 'no drug'")
    plan = plan_of(data)
    ids = {i["id"] for i in plan.management}
    assert "not-mronj-no-drug" not in ids
    assert "No antiresorptive or antiangiogenic drug, ever" not in plan_text(plan)
    text = " ".join(plan.staging["reasons"])
    assert "AAOMS 2022" in text and "AAOMS 2014" in text and "MASCC/ISOO/ASCO 2019" in text
    f = case.findings
    if (f.exposed_bone or f.fistula_probes_to_bone) and not (case.jaw_radiotherapy or case.jaw_metastasis):
        assert "refer-specialist" in ids


# --- W2: ECTS 2022 pause only for high risk; ECTS antibiotics side by side ------------------------------------------

@PLAN_SETTINGS
@given(ORAL_BISPHOSPHONATE)
def test_w2_ects_pause_applies_only_to_high_risk_patients(data):
    """ECTS 2022 Table 5: osteoporosis patients at low risk of MRONJ do not stop bisphosphonates before dental
    procedures; a pause is considered only for high-risk patients (the course's marker: SDCEP's higher-risk
    group). The ECTS antibiotic advice (antimicrobial rinse + systemic antibiotics for non-conservative
    procedures) is always among the antibiotic positions shown."""
    case = build(data)
    plan = plan_of(data)
    proc = plan.procedure_advice
    if proc is not None:
        assert any("ects2022" in p["source"] for p in proc["prophylaxis"]["positions"])
    rows = [r for r in plan.drug_holiday if r["id"] == "holiday-ects2022-bp" and r["applies"]]
    low = [r for r in plan.drug_holiday if r["id"] == "holiday-ects2022-bp-low-risk" and r["applies"]]
    if not rows and not low:
        return
    seen("W2 ECTS bisphosphonate pause only for high risk")
    from osteonecrosis.rules import sdcep_risk_group
    group = sdcep_risk_group(case)
    if rows:
        assert group == "higher"
    if low:
        assert group == "lower"


# --- W5: SDCEP higher-risk group --------------------------------------------------------------------------------

@PLAN_SETTINGS
@given(contract_cases())
def test_w5_sdcep_higher_risk_group_includes_5_years_of_bisphosphonate_or_glucocorticoids(data):
    """SDCEP 2017 (risk assessment flowchart): higher risk = cancer patients on antiresorptive or antiangiogenic
    drugs, and osteoporosis patients on a bisphosphonate for 5 years or more or with systemic glucocorticoids."""
    from osteonecrosis.rules import sdcep_risk_group

    case = build(data)
    given_meds = _given(case, lambda m: True)
    if not given_meds:
        assert sdcep_risk_group(case) is None
        return
    seen("W5 SDCEP higher-risk group")
    bp_months = sum(m.months for m in given_meds if _is_bp(m))
    if bp_months >= 60 or "corticosteroids" in case.risk_factors:
        assert sdcep_risk_group(case) == "higher"
    if case.indication in ("bone_metastases", "multiple_myeloma"):
        assert sdcep_risk_group(case) == "higher"


# --- referral, primary care, superseded rows -------------------------------------------------------------------

@PLAN_SETTINGS
@given(SUSPECTED_OR_STAGED)
def test_every_suspected_or_staged_case_is_referred(data):
    """SDCEP / AAOMS 2022 / MASCC 2019: suspected or established MRONJ is diagnosed and managed with a specialist
    (oral and maxillofacial surgery or oral medicine). Stages 0-3 and exposed bone inside the 8-week window
    ('suspected MRONJ') carry the referral item."""
    plan = plan_of(data)
    staging = plan.staging
    if not (plan.stage in SPECIALIST_STAGES or staging.get("suspected")):
        return
    seen("suspected or staged -> referral")
    assert "refer-specialist" in {i["id"] for i in plan.management}


@PLAN_SETTINGS
@given(SUSPECTED_OR_STAGED)
def test_no_stage_1_to_3_plan_carries_primary_care_surgery_text(data):
    """SDCEP says straightforward extractions in patients AT RISK can be done in primary care; it does not say so
    for a patient with MRONJ. No plan of a stage 1-3 (or stage 0, or suspected) case carries that text, and the
    procedure advice sends the invasive work to the specialist."""
    plan = plan_of(data)
    if not (plan.stage in SPECIALIST_STAGES or plan.staging.get("suspected")):
        return
    seen("stage 0-3 / suspected -> no primary-care surgery text")
    assert not PRIMARY_CARE.search(plan_text(plan))
    proc = plan.procedure_advice
    if proc is not None and proc["elective_surgery"]["invasive"] and proc["elective_surgery"]["dose_group"] != "none":
        assert proc["elective_surgery"]["advice"] == "specialist"


@PLAN_SETTINGS
@given(ORAL_BISPHOSPHONATE)
def test_no_superseded_entry_ever_applies(data):
    """DESIGN section 5: a superseded position (AAOMS 2009, superseded twice; AAOMS 2014 by 2022) is taught as
    history and never applied to a patient."""
    plan = plan_of(data)
    rows = [r for r in plan.drug_holiday if r.get("standing") == "superseded"]
    if not rows:
        return
    seen("superseded rows never apply")
    assert not any(r["applies"] for r in rows)


# --- radiotherapy -> osteoradionecrosis -------------------------------------------------------------------------

@PLAN_SETTINGS
@given(IRRADIATED)
def test_irradiated_jaw_always_gets_the_osteoradionecrosis_items(data):
    """AAOMS 2022 criterion 3 excludes radiotherapy to the jaws: think osteoradionecrosis. Studer 2015 / Watson
    2024: risk rises with bone given more than about 60 Gy (ask the dose to the site); HOPON (Shaw 2019):
    prophylactic HBO gave no benefit; plan surgery with the head and neck team."""
    case = build(data)
    if not case.jaw_radiotherapy:
        return
    seen("radiotherapy -> ORN items")
    plan = plan_of(data)
    ids = {i["id"] for i in plan.management}
    assert {"orn-dose-to-site", "orn-specialist-team", "orn-hopon-no-prophylactic-hbo"} <= ids
    assert plan.stage == "not_mronj"


# --- the 8-week window, stage 3 wording, urgent care, bevacizumab ----------------------------------------------------

@PLAN_SETTINGS
@given(SUSPECTED_OR_STAGED)
def test_exposed_bone_inside_8_weeks_is_suspected_mronj_with_treat_now(data):
    """AAOMS 2022 criterion 2 (>8 weeks) separates slow healing from MRONJ for the diagnosis only: the label says
    'suspected MRONJ, does not yet meet the 8-week definition', infection and pain are treated now and the
    patient is re-examined."""
    plan = plan_of(data)
    if not plan.staging.get("suspected"):
        return
    seen("<= 8 weeks -> suspected MRONJ, treat now, re-examine")
    assert plan.stage == "not_mronj"
    assert "does not yet meet the 8-week definition" in plan.stage_label
    first = plan.staging["reasons"][0]
    assert "treat infection and pain now" in first and "re-examine" in first


@STAGE_SETTINGS
@given(STAGE3)
def test_stage_3_reasons_say_whether_the_aaoms_wording_or_the_teaching_rule_decided(data):
    """AAOMS 2014/2022 word stage 3 as exposed bone with pain AND infection plus a stage-3 feature; the course
    applies a stage-3 feature to any confirmed case (teaching rule). The reasons say which one decided."""
    case = build(data)
    result = stage(case)
    if result.stage != "3":
        return
    seen("stage 3 reasons exact")
    text = " ".join(result.reasons)
    if case.findings.pain and case.findings.infection:
        assert "exactly as AAOMS words it" in text
    else:
        assert "teaching rule" in text and "course_teaching_rule" in result.source


@PLAN_SETTINGS
@given(DENOSUMAB_PROCEDURE)
def test_denosumab_windows_always_say_urgent_treatment_proceeds(data):
    """SDCEP's window is for non-urgent invasive treatment; ECTS times elective high-risk procedures. Urgent
    treatment goes ahead whatever the point in the denosumab interval."""
    plan = plan_of(data)
    proc = plan.procedure_advice
    if proc is None or not any(m["drug"] == "denosumab" and (m["months"] > 0 or m["current"])
                               for m in data["medications"]):
        return
    seen("denosumab + procedure -> urgent treatment proceeds")
    assert "dmab-urgent-proceeds" in {w["id"] for w in proc["denosumab_windows"]}


@PLAN_SETTINGS
@given(BEVACIZUMAB_INVASIVE)
def test_current_bevacizumab_and_invasive_procedure_carries_the_wound_healing_hold(data):
    """Bevacizumab label / Gordon 2009 / NHS Scotland acute oncology: elective surgery waits after the last dose and
    the drug restarts no sooner than 28 days after surgery, once the wound has healed."""
    plan = plan_of(data)
    proc = plan.procedure_advice
    if proc is None or not proc["elective_surgery"]["invasive"] or proc["elective_surgery"]["dose_group"] == "none":
        return
    if proc["elective_surgery"]["advice"] == "before_therapy":
        return
    if not any(m["drug"] == "bevacizumab" and m["current"] for m in data["medications"]):
        return
    seen("current bevacizumab + invasive procedure -> wound-healing hold")
    assert "bevacizumab-surgery-hold" in {i["id"] for i in proc["elective_surgery"]["related"]}


# --- monotonicity and robustness -------------------------------------------------------------------------------

@STAGE_SETTINGS
@given(contract_cases(), st.sampled_from(["pain", "infection", *STAGE3_FINDINGS, *NONSPECIFIC_SIGNS,
                                          "exposed_bone", "fistula_probes_to_bone"]))
def test_stage_never_decreases_when_a_finding_is_added(data, finding):
    """AAOMS staging is ordered by severity: adding a symptom, a sign or a stage-3 feature never lowers the stage.
    The one exception is the case definition's own: exposed bone for 8 weeks or less is 'not yet MRONJ'
    (suspected), so adding exposed bone inside the window is checked only past 8 weeks."""
    case = build(data)
    more = copy.deepcopy(data)
    f = more["findings"]
    if finding in ("exposed_bone", "fistula_probes_to_bone") and f.get("weeks_persisting", 0) <= 8:
        return
    seen("monotonicity: adding a finding never lowers the stage")
    if finding in NONSPECIFIC_SIGNS:
        f["nonspecific"] = sorted({*f.get("nonspecific", []), finding})
    else:
        f[finding] = True
    assert stage_order(stage(build(more)).stage) >= stage_order(stage(case).stage)


@PLAN_SETTINGS
@given(contract_cases())
def test_engine_never_raises_on_a_valid_contract_case(data):
    """DESIGN section 4: the engine answers for any case the contract accepts. The loader accepts every generated
    case, builds the same Case as the fast builder, and stage and plan answer with cited, JSON-able results."""
    seen("engine never raises on a valid contract case")
    loaded = case_from_dict(copy.deepcopy(data))
    assert loaded == build(data)
    result = stage(loaded)
    assert result.stage in ("not_mronj", "at_risk", "0", "1", "2", "3") and result.reasons
    plan = plan_of(data)
    json.dumps(plan.to_dict())
    for item in plan_items(plan):
        assert item["id"] and item["source"] and item["evidence"]


# --- the count, printed -----------------------------------------------------------------------------------------



def test_zz_report_cases_per_invariant(capsys: pytest.CaptureFixture[str]) -> None:
    """Print how many generated cases each invariant saw (visible without -s), and hold each to a floor: an
    invariant that saw few cases would be a strategy that misses its part of the case space."""
    if not CASES_SEEN:
        pytest.skip("no invariant of this file ran in this session (run the file to see the counts)")
    lines = [f"{n:6d}  {name}" for name, n in sorted(CASES_SEEN.items(), key=lambda kv: kv[0])]
    with capsys.disabled():
        print("\nclinical invariants: generated cases that exercised each one (of "
              f"{EXAMPLES} / {STAGE_EXAMPLES} drawn per test)")
        print("\n".join(lines))
    for name, n in CASES_SEEN.items():
        assert n >= 100, f"{name}: only {n} generated cases reached it"
