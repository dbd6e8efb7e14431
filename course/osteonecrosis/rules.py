"""One home for each clinical rule that staging, the plan, the other staging systems and the simulator share.

- "was the drug given" (:func:`drugs_given`, :func:`exposure`),
- the criterion-1 reading of AAOMS 2022 (:func:`meets_criterion1`),
- the exclusions (:func:`exclusions`),
- "has a lesion" (:func:`has_lesion`) and what it is (:func:`lesion_kind`),
- the stage-3 features (:func:`stage3_features`) and the nonspecific signs (:func:`nonspecific_signs`),
- the safety rules of issue 10: numb-chin work-up (:func:`numb_chin`), the complications the 8-week window
  never defers (:func:`complications_present`), and teriparatide's contraindications
  (:func:`teriparatide_contraindications`).

The lists and the wording come from the knowledge base (``staging.yaml``, ``diagnosis.yaml``,
``management.yaml``); the case contract is described in ``docs/case_contract.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import knowledge
from .cases import Case, Findings, Medication, drug_catalogue

ONCOLOGY_INDICATIONS: tuple[str, ...] = ("bone_metastases", "multiple_myeloma")


@dataclass(frozen=True)
class Exclusion:
    """One reason the MRONJ case definition is not met: a code, a sentence, and its sources."""

    code: str        # no_drug | antiangiogenic_only | jaw_radiotherapy | jaw_metastasis
    reason: str
    source: tuple[str, ...]


def was_given(med: Medication) -> bool:
    """A medication entry counts as given when time on it is above 0 or it is current (0 months and not
    current records a drug that was never actually given)."""
    return med.months > 0 or med.current


def drugs_given(case: Case) -> list[Medication]:
    """The medication entries of a case that were actually given."""
    return [m for m in case.medications if was_given(m)]


def exposure(case: Case) -> dict[str, bool]:
    """Which drug classes the patient has ever received: {'antiresorptive': bool, 'antiangiogenic': bool}."""
    cat = drug_catalogue()
    given = drugs_given(case)
    return {
        "antiresorptive": any(cat[m.drug]["antiresorptive"] for m in given),
        "antiangiogenic": any(cat[m.drug]["antiangiogenic"] for m in given),
    }


def meets_criterion1(case: Case) -> bool:
    """AAOMS 2022 criterion 1: an antiresorptive drug, alone or with immune modulators or antiangiogenic drugs
    (an antiangiogenic drug alone does not meet it)."""
    return exposure(case)["antiresorptive"]


def exclusions(case: Case) -> list[Exclusion]:
    """Every reason the case definition is not met by drug history, radiotherapy or metastasis."""
    exp = exposure(case)
    out: list[Exclusion] = []
    if not exp["antiresorptive"] and exp["antiangiogenic"]:
        out.append(Exclusion(
            "antiangiogenic_only",
            "an antiangiogenic drug without any antiresorptive: AAOMS 2022 criterion 1 (antiresorptive therapy "
            "alone or combined with immune modulators or antiangiogenic drugs) is not met; the older AAOMS 2014 "
            "and the MASCC/ISOO/ASCO 2019 wording ('antiresorptive or antiangiogenic') would count it",
            ("aaoms2022", "aaoms2014", "mascc2019"),
        ))
    elif not exp["antiresorptive"]:
        out.append(Exclusion(
            "no_drug", "no antiresorptive or antiangiogenic drug, ever: the first criterion is not met",
            ("aaoms2022",),
        ))
    if case.jaw_radiotherapy:
        out.append(Exclusion(
            "jaw_radiotherapy", "radiotherapy to the jaws: excluded from MRONJ (consider osteoradionecrosis)",
            ("aaoms2022",),
        ))
    if case.jaw_metastasis:
        out.append(Exclusion(
            "jaw_metastasis", "metastatic disease to the jaws: excluded from MRONJ (consider metastasis)",
            ("aaoms2022",),
        ))
    return out


def has_lesion(findings: Findings) -> bool:
    """Exposed bone, or a fistula that probes to bone (criterion 2 before its 8 weeks)."""
    return bool(findings.exposed_bone or findings.fistula_probes_to_bone)


def lesion_kind(findings: Findings) -> str:
    """'exposed bone' or 'a fistula that probes to bone' ('' when there is no lesion)."""
    if findings.exposed_bone:
        return "exposed bone"
    return "a fistula that probes to bone" if findings.fistula_probes_to_bone else ""


def persisting_weeks_threshold() -> float:
    """Criterion 2's window: the lesion must persist for more than this many weeks (8)."""
    return float(knowledge.load("staging")["case_definition"]["persisting_more_than_weeks"])


def _stage3_table() -> dict[str, str]:
    return {f["finding"]: f["label"] for f in knowledge.load("staging")["aaoms2022"]["stage3_features"]}


def stage3_features(findings: Findings) -> list[str]:
    """Labels of the AAOMS stage-3 features present in the findings."""
    return [label for key, label in _stage3_table().items() if getattr(findings, key)]


def nonspecific_signs(findings: Findings) -> list[str]:
    """Labels of the stage-0 nonspecific signs present in the findings."""
    table = {s["sign"]: s["label"] for s in knowledge.load("staging")["aaoms2022"]["nonspecific_signs"]}
    return [label for sign, label in table.items() if sign in findings.nonspecific]


def complications_present(findings: Findings) -> list[str]:
    """The complications the 8-week window never defers: a fracture, a fistula, an infection."""
    out = []
    if findings.pathologic_fracture:
        out.append("pathologic fracture")
    fistulas = [name for name, on in (
        ("fistula that probes to bone", findings.fistula_probes_to_bone),
        ("extraoral fistula", findings.extraoral_fistula),
        ("oral-antral or oral-nasal communication", findings.oral_antral_or_nasal_communication),
    ) if on]
    out += fistulas
    if findings.infection:
        out.append("infection")
    return out


def _safety(entry_id: str) -> dict[str, Any]:
    return knowledge.find(entry_id, "diagnosis")


def window_warning(findings: Findings) -> str:
    """The sentence that goes with every 'not MRONJ yet (8-week window)' result, naming the complications."""
    entry = _safety("window-never-defers-treatment")
    text = " ".join(entry["text"].split())
    present = complications_present(findings)
    if present:
        return f"{text} Present now and to be treated now: {', '.join(present)}."
    return text


def known_malignancy(case: Case) -> bool:
    """Cancer on record: an oncology indication, or a malignancy in the medical history."""
    return case.indication in ONCOLOGY_INDICATIONS or bool(
        {"malignancy", "skeletal_malignancy"} & set(case.medical_history))


def numb_chin(case: Case) -> str | None:
    """The numb-chin warning when altered lip/chin sensation meets a known malignancy (no jaw metastasis on
    record yet); None otherwise."""
    if "altered_sensation" not in case.findings.nonspecific or case.jaw_metastasis:
        return None
    if not known_malignancy(case):
        return None
    action = " ".join(_safety("numb-chin-workup")["action"].split())
    return "numb-chin syndrome until imaging excludes a jaw metastasis: " + action[:1].lower() + action[1:]


def numb_chin_entry() -> dict[str, Any]:
    """The cited knowledge entry behind :func:`numb_chin`."""
    return _safety("numb-chin-workup")


def _teriparatide() -> dict[str, Any]:
    for entry in knowledge.load("management")["adjuncts"]:
        if entry["id"] == "adj-teriparatide":
            return entry
    raise knowledge.KnowledgeError("no adj-teriparatide entry in management.yaml")


def case_conditions(case: Case) -> set[str]:
    """Conditions relevant to teriparatide, from the medical history and what the case implies
    (Paget indication, oncology indication, jaw radiotherapy)."""
    conditions = set(case.medical_history)
    if case.indication == "paget":
        conditions.add("paget_disease")
    if case.indication in ONCOLOGY_INDICATIONS or case.jaw_metastasis:
        conditions.add("skeletal_malignancy")
    if case.jaw_radiotherapy:
        conditions.add("skeletal_radiotherapy")
    return conditions


def teriparatide_contraindications(case: Case) -> list[dict[str, Any]]:
    """The teriparatide contraindications/warnings that apply to the case, each a cited knowledge entry."""
    conditions = case_conditions(case)
    return [dict(e) for e in _teriparatide()["contraindications"] if e["condition"] in conditions]


def teriparatide_condition_codes() -> tuple[str, ...]:
    """The condition codes teriparatide's contraindication list knows."""
    return tuple(e["condition"] for e in _teriparatide()["contraindications"])


# --- Issue 17: stage 0 covers every non-exposed presentation with symptoms or findings ------------------------

def nonexposed_findings(findings: Findings) -> list[str]:
    """What makes a case without exposed bone stage 0 (AAOMS 2022: nonspecific symptoms or clinical or
    radiographic findings): the nonspecific signs, pain, infection, and the findings that would be stage-3
    features with exposed bone. [] means at risk."""
    out = nonspecific_signs(findings)
    out += [name for name, on in (("pain", findings.pain), ("infection", findings.infection)) if on]
    out += stage3_features(findings)
    return out


def findings_to_treat_now(findings: Findings) -> list[str]:
    """Findings without exposed bone that are treated now, whatever the stage label."""
    out = [name for name, on in (("pathologic fracture", findings.pathologic_fracture),
                                 ("osteolysis to the border", findings.osteolysis_to_border),
                                 ("extraoral fistula", findings.extraoral_fistula),
                                 ("oral-antral or oral-nasal communication",
                                  findings.oral_antral_or_nasal_communication),
                                 ("infection", findings.infection)) if on]
    return out


def stage0_warning(findings: Findings) -> str | None:
    """The treat-now warning for stage 0 with a fracture, osteolysis, fistula or infection; None otherwise."""
    present = findings_to_treat_now(findings)
    if not present:
        return None
    text = " ".join(_safety("stage0-findings-treat-now")["text"].split())
    return f"{text} Present now and to be treated now: {', '.join(present)}."


# --- Issue 17: one dose-group / regimen resolver ---------------------------------------------------------------
# match_regimen is the one place a medication entry is matched to the drug catalogue's regimens; route_of,
# regimen_group (the prevention rules' groups) and risk_regimen_group (the risk table's groups) read its answer.

def match_regimen(med: Medication, indication: str | None = None) -> dict[str, Any] | None:
    """The drug-catalogue regimen a medication entry matches: same dose (and route when given), then the closest
    interval, then the case's indication. None without a dose or without a match."""
    if med.dose_mg is None:
        return None
    regimens = [r for r in drug_catalogue()[med.drug].get("regimens") or []
                if float(r["dose_mg"]) == float(med.dose_mg) and (not med.route or r["route"] == med.route)]
    if not regimens:
        return None

    def key(r: dict[str, Any]) -> tuple[float, int]:
        gap = abs(float(r["every_days"]) - float(med.every_days)) if med.every_days is not None else 0.0
        return (gap, 0 if r["indication"] == indication else 1)

    return min(regimens, key=key)


def route_of(med: Medication) -> str | None:
    """The medication's route: the one given, else the route of the catalogue regimen with the same dose, else
    the drug's only catalogue route; None when it cannot be told (a drug with several routes and no dose)."""
    if med.route:
        return med.route
    regimens = drug_catalogue()[med.drug].get("regimens") or []
    if med.dose_mg is not None:
        for r in regimens:
            if float(r["dose_mg"]) == float(med.dose_mg):
                return str(r["route"])
    routes = {str(r["route"]) for r in regimens}
    return routes.pop() if len(routes) == 1 else None


def regimen_group(med: Medication, indication: str) -> str:
    """'oncologic', 'low_dose' or 'antiangiogenic' for one medication of a case (the prevention rules' groups):
    the matched regimen's risk group; without a match, an oncology indication means oncologic dosing."""
    if not drug_catalogue()[med.drug]["antiresorptive"]:
        return "antiangiogenic"
    reg = match_regimen(med, indication)
    if reg is not None:
        return str(reg["risk_group"])
    return "oncologic" if indication in ONCOLOGY_INDICATIONS else "low_dose"


def risk_regimen_group(med: Medication) -> str | None:
    """The risk table's group from the dose alone: 'oncology', 'low_dose', 'adjuvant', or None without a dose or
    a matching regimen (same matching as :func:`match_regimen`: dose, route when given, closest interval)."""
    reg = match_regimen(med)
    if reg is None:
        return None
    if reg["indication"] == "other" and "adjuvant" in reg["id"]:
        return "adjuvant"
    return "oncology" if reg["risk_group"] == "oncologic" else "low_dose"


def current_medications(case: Case) -> list[Medication]:
    return [m for m in case.medications if m.current]


def dose_group(case: Case) -> str:
    """The case's current therapy: 'oncologic', 'low_dose', 'antiangiogenic' (antiangiogenic drugs only),
    'stopped' (drugs given before, none now) or 'none'."""
    groups = {regimen_group(m, case.indication) for m in current_medications(case)}
    for group in ("oncologic", "low_dose", "antiangiogenic"):
        if group in groups:
            return group
    if any(m.months > 0 for m in case.medications):
        return "stopped"
    return "none"


def is_bisphosphonate(med: Medication) -> bool:
    return str(drug_catalogue()[med.drug]["class"]).endswith("bisphosphonate")


# --- Issue 17 (H1): denosumab that is not current ---------------------------------------------------------------

DENOSUMAB_MAX_DELAY_DAYS = 28      # ECTS 2022: the next injection no more than 4 weeks late


def denosumab_interval_days(med: Medication, indication: str) -> int:
    """Days between denosumab doses: the matched regimen's interval, else 28 (oncologic) or 182 (6-monthly)."""
    reg = match_regimen(med, indication)
    if reg is not None:
        return int(reg["every_days"])
    if med.every_days:
        return int(med.every_days)
    return 28 if regimen_group(med, indication) == "oncologic" else 182


def denosumab_status(med: Medication, indication: str, today: dt.date | None = None) -> str | None:
    """'current', 'overdue' (current, but the last dose is more than the interval + 4 weeks ago), 'stopped'
    (not current), or None for another drug or a denosumab entry never given."""
    if med.drug != "denosumab" or not was_given(med):
        return None
    if not med.current:
        return "stopped"
    if med.last_dose is not None:
        today = today or dt.date.today()
        due = med.last_dose + dt.timedelta(days=denosumab_interval_days(med, indication))
        if today > due + dt.timedelta(days=DENOSUMAB_MAX_DELAY_DAYS):
            return "overdue"
    return "current"


def denosumab_not_current(case: Case, today: dt.date | None = None) -> list[Medication]:
    """The case's denosumab entries that are stopped or overdue (judged on ``today``, else the case's
    ``assessed_on``, else the real date)."""
    today = today or case.assessed_on
    return [m for m in case.medications if denosumab_status(m, case.indication, today) in ("stopped", "overdue")]


# --- Issue 17 (W5): SDCEP's risk groups ------------------------------------------------------------------------

SDCEP_BISPHOSPHONATE_YEARS = 5


def sdcep_risk_group(case: Case) -> str | None:
    """SDCEP 2017: 'higher' (cancer patients on antiresorptive or antiangiogenic drugs; osteoporosis patients on a
    bisphosphonate for 5 years or more, or with systemic glucocorticoids), 'lower' (other exposed patients), or
    None (no drug given)."""
    given = drugs_given(case)
    if not given:
        return None
    if known_malignancy(case) or any(regimen_group(m, case.indication) in ("oncologic", "antiangiogenic")
                                     for m in given):
        return "higher"
    if "corticosteroids" in case.risk_factors:
        return "higher"
    bp_months = sum(m.months for m in given if is_bisphosphonate(m))
    if bp_months >= 12 * SDCEP_BISPHOSPHONATE_YEARS:
        return "higher"
    return "lower"


# --- Issue 17: one elective-surgery rule ------------------------------------------------------------------------

DENTOALVEOLAR: tuple[str, ...] = ("extraction", "implant", "alveoloplasty", "periodontal_surgery")
NECESSARY: tuple[str, ...] = ("biopsy",)
NON_INVASIVE: tuple[str, ...] = ("scaling", "endodontics", "restoration", "denture")


@dataclass(frozen=True)
class SurgeryDecision:
    """What the course's rule says about a planned procedure: an advice code and the knowledge entry behind it."""

    advice: str          # before_therapy | no_exposure | routine | specialist | necessary | avoid_elective |
                         # antiangiogenic | stopped | proceed_with_precautions
    entry_id: str        # a during_therapy / pretreatment entry of prevention.yaml
    invasive: bool
    dose_group: str


def elective_surgery_rule(case: Case, stage_code: str, suspected: bool, before_therapy: bool,
                          oncology_scope: bool, necessary: bool = False) -> SurgeryDecision:
    """The one elective-surgery rule (prevention, the plan and the virtual patient share it).

    Order: before therapy; no exposure; non-invasive care is routine; a suspected or staged case (stage 0-3, or
    exposed bone inside the 8-week window) goes to the specialist; biopsy is necessary; oncologic-dose therapy:
    no elective dentoalveolar surgery (MASCC 2019), unless the procedure is medically ``necessary`` (a tooth
    with a poor prognosis or active infection: planned with the oncologist, MASCC 2019); antiangiogenic alone;
    stopped; otherwise (osteoporosis doses) proceed with precautions."""
    proc = case.planned_procedure
    group = dose_group(case)
    invasive = proc is None or proc in DENTOALVEOLAR
    if group == "none" and before_therapy:
        entry = "pre-finish-necessary" if oncology_scope else "pre-sdcep-dentally-fit"
        return SurgeryDecision("before_therapy", entry, invasive, group)
    if group == "none":
        return SurgeryDecision("no_exposure", "during-no-exposure", invasive, group)
    if proc in NON_INVASIVE:
        return SurgeryDecision("routine", "during-noninvasive-care", invasive, group)
    if stage_code in ("0", "1", "2", "3") or suspected:
        return SurgeryDecision("specialist", "during-specialist-care", invasive, group)
    if proc in NECESSARY:
        return SurgeryDecision("necessary", "during-necessary-treatment", invasive, group)
    if group == "oncologic":
        if necessary:
            return SurgeryDecision("necessary", "during-necessary-treatment", invasive, group)
        return SurgeryDecision("avoid_elective", "during-no-elective-oncology", invasive, group)
    if group == "antiangiogenic":
        return SurgeryDecision("no_verified_rule", "during-antiangiogenic-only", invasive, group)
    if group == "stopped":
        given = drugs_given(case)
        if any(is_bisphosphonate(m) for m in given):
            entry = "during-stopped-therapy"
        elif any(m.drug == "denosumab" for m in given):
            entry = "during-stopped-denosumab"
        else:
            entry = "during-stopped-other"
        return SurgeryDecision("stopped", entry, invasive, group)
    return SurgeryDecision("proceed_with_precautions", "during-primary-care", invasive, group)
