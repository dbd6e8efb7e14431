"""A management and prevention plan for a case: what ``python -m osteonecrosis plan CASE`` prints.

The plan stages the case (:func:`osteonecrosis.staging.stage`), then gathers cited items from the
management and prevention knowledge. Every item carries ``id``, ``action`` (or ``text``/``claim``),
``source``, ``citations`` and ``evidence``; unverified items say 'Reported' and have ``unverified: true``.
A teaching tool, not a clinical decision tool.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import DISCLAIMER, knowledge, management, prevention, rules
from .cases import Case
from .results import Result
from .staging import stage

PLAN_KEYS: tuple[str, ...] = (
    "case_id", "stage", "stage_label", "staging", "warnings", "focus", "management", "management_history",
    "prevention", "drug_holiday", "adjuncts_to_discuss", "seed_scheme", "procedure_advice", "disclaimer",
)


@dataclass(frozen=True)
class Plan(Result):
    """A teaching plan, read by attribute (``plan.stage``, ``plan.management``); ``to_dict()`` for JSON."""

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
    reasons = [e.code for e in rules.exclusions(case)]
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


# Items that say surgery can be done in primary dental care: never in the plan of a suspected or staged case.
PRIMARY_CARE_ITEMS: frozenset[str] = frozenset({"during-primary-care", "during-avoid-trauma-seed"})


def _prevention(case: Case, exposed: bool, specialist: bool, today: dt.date | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if prevention.before_therapy(case):
        items += prevention.pretreatment_checklist(case)
    if exposed or prevention.before_therapy(case):
        items += prevention.during_therapy(case)
        items += prevention.ctx_advice()
    else:
        items += [i for i in prevention.during_therapy(case) if i["id"] in ("during-hygiene", "during-recall")]
    if rules.denosumab_not_current(case, today):
        items.insert(0, prevention.denosumab_item("dmab-stopped-rebound"))
    if specialist:
        items = [i for i in items if i["id"] not in PRIMARY_CARE_ITEMS]
    return items


def _denosumab_windows(case: Case, today: dt.date | None) -> tuple[list[dict[str, Any]], str | None]:
    """ECTS and SDCEP windows for 6-monthly denosumab (60 mg, osteoporosis or adjuvant) with a known last dose:
    current, overdue or stopped (for a
    dose that is not current the windows show how late it is; the rebound warning goes with them)."""
    for med in case.medications:
        status = rules.denosumab_status(med, case.indication, today)
        if status is None:
            continue
        urgent = prevention.denosumab_item("dmab-urgent-proceeds")
        if rules.denosumab_interval_days(med, case.indication) < 180:
            return [urgent], "Denosumab at oncologic dose: the 6-monthly timing rules (ECTS, SDCEP) do not apply."
        if med.last_dose is None:
            note = "Give medications[].last_dose (YYYY-MM-DD) to compute the denosumab timing windows."
            if status != "current":
                note += (f" Denosumab is {status}: the dose is overdue - contact the prescriber now (rebound bone "
                         "loss and multiple vertebral fractures).")
            return [urgent], note
        windows = [prevention.denosumab_window(med.last_dose, g) for g in prevention.DENOSUMAB_GUIDELINES]
        for w in windows:
            w["denosumab_status"] = status
        note = None
        if status != "current":
            note = (f"Denosumab is {status}: the scheduled dose ({windows[0]['scheduled_next_dose']}) is overdue "
                    "and the windows have passed - contact the prescriber now (rebound bone loss and multiple "
                    "vertebral fractures).")
        return [*windows, urgent], note
    return [], None


def _procedure_advice(case: Case, stage_code: str, suspected: bool,
                      today: dt.date | None) -> dict[str, Any] | None:
    if case.planned_procedure is None:
        return None
    advice = prevention.elective_surgery_advice(case, stage_code, suspected, today)
    windows, note = _denosumab_windows(case, today)
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


def _rebound_warning(case: Case, today: dt.date | None) -> list[str]:
    meds = rules.denosumab_not_current(case, today)
    if not meds:
        return []
    return [" ".join(str(prevention.denosumab_item("dmab-stopped-rebound")["action"]).split())]


def make_plan(case: Case, today: dt.date | None = None) -> Plan:
    """The teaching plan for a case: stage, safety warnings, AAOMS 2022 management (with the superseded
    2009/2014 table as ``management_history``), prevention, drug-holiday positions side by side, adjuncts to
    discuss, the seed's scheme (labelled as one series), procedure timing and a disclaimer.

    at_risk and stage-0 cases get prevention-centred plans; not_mronj cases say why and still get prevention.
    """
    today = today or case.assessed_on or dt.date.today()
    result = stage(case)
    code = result.stage
    suspected = result.suspected
    specialist = code in ("0", "1", "2", "3") or suspected
    exp = rules.exposure(case)
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
        older = result.stage_if_antiangiogenic_counts
        if older is not None and older != "not_mronj":
            # AAOMS 2014 / MASCC 2019 count it: managed as that stage is
            management_items += [{**i, "reading": "aaoms2014/mascc2019"} for i in management.stage_actions(older)]
            specialist = specialist or older in ("0", "1", "2", "3")
        elif older == "not_mronj" and rules.has_lesion(case.findings):
            specialist = True
        if case.jaw_radiotherapy:
            management_items += management.radiotherapy_items()
    elif code in ("at_risk", "0"):
        focus = "prevention"
        management_items += management.stage_actions(code)
    else:
        focus = "treatment"
        management_items += management.stage_actions(code)
        management_items += management.surgery_evidence()
        history_items = management.history_stage_actions(code)
        adjunct_items = _adjuncts(case)
    if specialist:
        management_items += management.referral_items()
    if exposed and (code in management.STAGE_CODES[1:] or "short_exposure" in reasons):
        management_items += management.drug_decision()
    plan.update(
        warnings=[*result.warnings, *_rebound_warning(case, today)],
        focus=focus,
        management=management_items,
        management_history=history_items,
        prevention=_prevention(case, exposed, specialist, today),
        drug_holiday=prevention.drug_holiday_positions(case, today),
        adjuncts_to_discuss=adjunct_items,
        seed_scheme=management.seed_scheme(code),
        procedure_advice=_procedure_advice(case, code, suspected, today),
        disclaimer=DISCLAIMER,
    )
    return Plan(**plan)


def plan_items(plan: Plan) -> list[dict[str, Any]]:
    """Every cited item of a plan, flattened (for checks: each has id, source, citations and evidence)."""
    items: list[dict[str, Any]] = [*plan.management, *plan.management_history, *plan.prevention,
                                   *plan.drug_holiday, *plan.adjuncts_to_discuss, plan.seed_scheme]
    proc = plan.procedure_advice
    if proc:
        items.append(proc["elective_surgery"])
        items += proc["elective_surgery"]["related"]
        items += proc["denosumab_windows"]
        items.append(proc["prophylaxis"])
        items += proc["surgical_protocol"]
    return items


def plan_text(plan: Plan) -> str:
    """Every string a plan carries, joined (for checks on what a reader of the plan is told)."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(plan.to_dict())
    return "\n".join(out)
