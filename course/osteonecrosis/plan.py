"""A management and prevention plan for a case: what ``python -m osteonecrosis plan CASE`` prints.

The plan stages the case (:func:`osteonecrosis.staging.stage`), then gathers cited items from the
management and prevention knowledge. Every item carries ``id``, ``action`` (or ``text``/``claim``),
``source``, ``citations`` and ``evidence``; unverified items say 'Reported' and have ``unverified: true``.
A teaching tool, not a clinical decision tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import DISCLAIMER, knowledge, management, prevention, rules
from .cases import Case, exposure
from .results import ResultMapping
from .staging import stage

PLAN_KEYS: tuple[str, ...] = (
    "case_id", "stage", "stage_label", "staging", "warnings", "focus", "management", "management_history",
    "prevention", "drug_holiday", "adjuncts_to_discuss", "seed_scheme", "procedure_advice", "disclaimer",
)


@dataclass(frozen=True, eq=False)
class Plan(ResultMapping):
    """A teaching plan: typed fields, readable as a mapping too (``plan["stage"]`` and ``plan.stage``)."""

    case_id: str | None
    stage: str
    stage_label: str
    staging: dict[str, Any]
    warnings: list[str]
    focus: str
    management: list[dict[str, Any]]
    management_history: list[dict[str, Any]]
    prevention: list[dict[str, Any]]
    drug_holiday: list[dict[str, Any]]
    adjuncts_to_discuss: list[dict[str, Any]]
    seed_scheme: dict[str, Any]
    procedure_advice: dict[str, Any] | None
    disclaimer: str


def not_mronj_reasons(case: Case) -> list[str]:
    """Why a case is not MRONJ, as reason codes of :data:`osteonecrosis.management.NOT_MRONJ_REASONS`."""
    codes = [e.code for e in rules.exclusions(case)]
    reasons = ["no_drug" if c == "antiangiogenic_only" else c for c in codes]
    lesion = rules.has_lesion(case.findings)
    if reasons == ["no_drug"] and not lesion and prevention.before_therapy(case):
        return ["before_therapy"]
    if not reasons and lesion:
        reasons.append("short_exposure")
    return reasons


def numb_chin_items(case: Case) -> list[dict[str, Any]]:
    """The numb-chin work-up as a cited plan item (first in the management list) when the rule applies."""
    return [management.as_item(rules.numb_chin_entry(), kind="safety")] if rules.numb_chin(case) else []


def window_items(case: Case, code: str) -> list[dict[str, Any]]:
    """During the 8-week window: the cited rule that the window never defers treating a fracture, fistula or
    infection, naming the ones present."""
    if code != "not_mronj" or not rules.has_lesion(case.findings) or rules.exclusions(case):
        return []
    entry = knowledge.find("window-never-defers-treatment", "diagnosis")
    return [management.as_item(entry, kind="safety", present=rules.complications_present(case.findings),
                               text=rules.window_warning(case.findings))]


def _prevention(case: Case, exposed: bool) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if prevention.before_therapy(case):
        items += prevention.pretreatment_checklist(case)
    if exposed or prevention.before_therapy(case):
        items += prevention.during_therapy(case)
        items += prevention.ctx_advice()
    else:
        items += [i for i in prevention.during_therapy(case) if i["id"] in ("during-hygiene", "during-recall")]
    return items


def _denosumab_windows(case: Case) -> tuple[list[dict[str, Any]], str | None]:
    """ECTS and SDCEP windows for current 6-monthly denosumab with a known last dose."""
    for med in case.medications:
        if med.drug != "denosumab" or not med.current:
            continue
        if prevention.medication_group(med, case.indication) != "low_dose":
            return [], "Denosumab at oncologic dose: the 6-monthly timing rules (ECTS, SDCEP) do not apply."
        if med.last_dose is None:
            return [], "Give medications[].last_dose (YYYY-MM-DD) to compute the denosumab timing windows."
        return [prevention.denosumab_window(med.last_dose, g) for g in prevention.DENOSUMAB_GUIDELINES], None
    return [], None


def _procedure_advice(case: Case) -> dict[str, Any] | None:
    if case.planned_procedure is None:
        return None
    advice = prevention.elective_surgery_advice(case)
    windows, note = _denosumab_windows(case)
    out: dict[str, Any] = {
        "procedure": case.planned_procedure,
        "elective_surgery": advice,
        "denosumab_windows": windows,
        "prophylaxis": prevention.prophylaxis_advice(),
        "surgical_protocol": prevention.surgical_protocol() if advice["invasive"] else [],
    }
    if note:
        out["note"] = note
    return out


def _adjuncts(case: Case) -> list[dict[str, Any]]:
    items = management.adjuncts()
    contraindications = rules.teriparatide_contraindications(case)
    for item in items:
        if item["id"] != "adj-teriparatide":
            continue
        item["evidence_rating"] = item.get("guideline_rating")
        if contraindications:
            item["contraindicated"] = True
            item["contraindications"] = [management.as_item(e) for e in contraindications]
            labels = ", ".join(e["label"] for e in contraindications)
            item["case_caution"] = {
                "text": f"Not for this patient: teriparatide is contraindicated or warned against with {labels} "
                        "(osteosarcoma risk).",
                "source": sorted({k for e in contraindications for k in knowledge.source_keys(e)}),
                "evidence": "label",
            }
        else:
            item["contraindicated"] = False
    return items


def make_plan(case: Case) -> Plan:
    """The teaching plan for a case: stage, safety warnings, AAOMS 2022 management (with the superseded
    2009/2014 table as ``management_history``), prevention, drug-holiday positions side by side, adjuncts to
    discuss, the seed's scheme (labelled as one series), procedure timing and a disclaimer.

    at_risk and stage-0 cases get prevention-centred plans; not_mronj cases say why and still get prevention.
    """
    result = stage(case)
    code = result.stage
    exp = exposure(case)
    exposed = exp["antiresorptive"] or exp["antiangiogenic"]
    plan: dict[str, Any] = {
        "case_id": case.id,
        "stage": code,
        "stage_label": result.label,
        "staging": result.to_dict(),
    }
    management_items: list[dict[str, Any]] = []
    history_items: list[dict[str, Any]] = []
    adjunct_items: list[dict[str, Any]] = []
    reasons = not_mronj_reasons(case) if code == "not_mronj" else []
    management_items += numb_chin_items(case)
    if code == "not_mronj":
        focus = "before_therapy" if reasons == ["before_therapy"] else "not_mronj"
        management_items += management.not_mronj_actions(reasons)
        management_items += window_items(case, code)
    elif code in ("at_risk", "0"):
        focus = "prevention"
        management_items += management.stage_actions(code)
    else:
        focus = "treatment"
        management_items += management.stage_actions(code)
        management_items += management.surgery_evidence()
        history_items = management.history_stage_actions(code)
        adjunct_items = _adjuncts(case)
    if exposed and (code in management.STAGE_CODES[1:] or "short_exposure" in reasons):
        management_items += management.drug_decision()
    plan.update(
        warnings=list(result.warnings),
        focus=focus,
        management=management_items,
        management_history=history_items,
        prevention=_prevention(case, exposed),
        drug_holiday=prevention.drug_holiday_positions(case),
        adjuncts_to_discuss=adjunct_items,
        seed_scheme=management.seed_scheme(code),
        procedure_advice=_procedure_advice(case),
        disclaimer=DISCLAIMER,
    )
    return Plan(**plan)


def plan_items(plan: Plan | dict[str, Any]) -> list[dict[str, Any]]:
    """Every cited item of a plan, flattened (for checks: each has id, source, citations and evidence)."""
    items: list[dict[str, Any]] = []
    for key in ("management", "management_history", "prevention", "drug_holiday", "adjuncts_to_discuss"):
        items += plan[key]
    items.append(plan["seed_scheme"])
    proc = plan.get("procedure_advice")
    if proc:
        items.append(proc["elective_surgery"])
        items += proc["elective_surgery"]["related"]
        items += proc["denosumab_windows"]
        items.append(proc["prophylaxis"])
        items += proc["surgical_protocol"]
    return items
