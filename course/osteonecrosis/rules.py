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
