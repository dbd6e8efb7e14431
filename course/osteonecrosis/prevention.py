"""MRONJ prevention applied to a case: checklists, denosumab timing, elective surgery, drug holidays.

Knowledge comes from ``knowledge/prevention.yaml``; every item carries ``id``, ``action``, ``source``,
``citations`` and ``evidence``. Dates are returned as ISO strings (YYYY-MM-DD).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from . import knowledge, rules
from .cases import Case, drug_catalogue, parse_date
from .management import as_item

ONCOLOGY_INDICATIONS: tuple[str, ...] = rules.ONCOLOGY_INDICATIONS
# Procedures the MASCC advice against elective dentoalveolar surgery covers (the rule lives in rules.py).
DENTOALVEOLAR: tuple[str, ...] = rules.DENTOALVEOLAR
# Procedures that are usually medically necessary rather than elective.
NECESSARY: tuple[str, ...] = rules.NECESSARY
NON_INVASIVE: tuple[str, ...] = rules.NON_INVASIVE
DENOSUMAB_GUIDELINES: tuple[str, ...] = ("ects2022", "sdcep2017")
HOLIDAY_ORDER: tuple[str, ...] = ("aaoms2009", "aaoms2014", "aaoms2022", "sdcep2017", "ects2022", "mascc2019")


def _data() -> dict[str, Any]:
    return knowledge.load("prevention")


def _entry(section: str, entry_id: str) -> dict[str, Any]:
    data = _data()[section]
    entries = data if isinstance(data, list) else [data]
    for e in entries:
        if e["id"] == entry_id:
            return e
    raise KeyError(f"{section}: no entry {entry_id!r}")


# --- dates --------------------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later (or earlier, if negative); the day is clipped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _as_date(value: Any, name: str) -> dt.date:
    parsed = parse_date(value)
    if parsed is not None:
        return parsed
    raise ValueError(f"{name}: expected a date (YYYY-MM-DD), got {value!r}")


def denosumab_window(last_injection: dt.date, guideline: str = "ects2022") -> dict[str, Any]:
    """When to do an invasive procedure for a patient on denosumab 60 mg every 6 months.

    ``ects2022``: procedure 5-6 months after the last injection; next injection 4-6 weeks after the
    procedure and no more than 4 weeks late (so between procedure_earliest + 4 weeks and the scheduled
    dose + 4 weeks). ``sdcep2017``: non-urgent invasive treatment in the month before the next dose (the
    day before it at the latest); the next dose waits until the socket has healed (a clinical check, no date).
    """
    last = _as_date(last_injection, "last_injection")
    if guideline not in DENOSUMAB_GUIDELINES:
        raise ValueError(
            f"guideline: unknown {guideline!r} (expected one of: {', '.join(DENOSUMAB_GUIDELINES)})"
        )
    entry = _entry("denosumab_timing", f"dmab-{guideline}")
    interval = int(entry["interval_months"])
    scheduled = add_months(last, interval)
    out = as_item(entry, last_injection=last.isoformat(), scheduled_next_dose=scheduled.isoformat())
    if guideline == "ects2022":
        first, second = entry["procedure_months_after_last"]
        earliest = add_months(last, int(first))
        weeks_min, weeks_max = entry["next_injection_weeks_after_procedure"]
        late = dt.timedelta(weeks=int(entry["max_delay_weeks"]))
        out.update(
            procedure_earliest=earliest.isoformat(),
            procedure_latest=add_months(last, int(second)).isoformat(),
            next_injection_earliest=(earliest + dt.timedelta(weeks=int(weeks_min))).isoformat(),
            next_injection_latest=(scheduled + late).isoformat(),
            next_injection_rule=(
                f"{weeks_min}-{weeks_max} weeks after the procedure, no later than "
                f"{(scheduled + late).isoformat()} ({entry['max_delay_weeks']} weeks after the scheduled dose)"
            ),
        )
    else:
        months_before = int(entry["window_months_before_next"])
        out.update(
            procedure_earliest=add_months(scheduled, -months_before).isoformat(),
            procedure_latest=(scheduled - dt.timedelta(days=1)).isoformat(),
            next_injection_earliest=None,
            next_injection_latest=None,
            next_injection_rule="delay the next dose until the socket has healed (a clinical check)",
        )
    return out


def denosumab_item(entry_id: str) -> dict[str, Any]:
    """One cited item of the denosumab timing section (``dmab-stopped-rebound``, ``dmab-urgent-proceeds`` ...)."""
    return as_item(_entry("denosumab_timing", entry_id))


def ects_next_injection(last_injection: dt.date, procedure: dt.date) -> dict[str, Any]:
    """ECTS 2022: the next denosumab injection for a given procedure date (4-6 weeks after it, and no
    more than 4 weeks after the scheduled dose). ``within_window`` says whether the procedure date itself
    falls 5-6 months after the last injection."""
    last = _as_date(last_injection, "last_injection")
    proc = _as_date(procedure, "procedure")
    if proc < last:
        raise ValueError(f"procedure: {proc.isoformat()} is before the last injection {last.isoformat()}")
    window = denosumab_window(last, "ects2022")
    entry = _entry("denosumab_timing", "dmab-ects2022")
    weeks_min, weeks_max = entry["next_injection_weeks_after_procedure"]
    cap = dt.date.fromisoformat(window["next_injection_latest"])
    earliest = proc + dt.timedelta(weeks=int(weeks_min))
    latest = min(proc + dt.timedelta(weeks=int(weeks_max)), cap)
    within = window["procedure_earliest"] <= proc.isoformat() <= window["procedure_latest"]
    return {
        "procedure": proc.isoformat(),
        "within_window": within,
        "next_injection_earliest": earliest.isoformat(),
        "next_injection_latest": latest.isoformat(),
        "feasible": earliest <= latest,
        **knowledge.cite(entry),
        "id": entry["id"],
    }


# --- the case's drugs --------------------------------------------------------------------------------------

def _current(case: Case) -> list[Any]:
    return rules.current_medications(case)


def dose_group(case: Case) -> str:
    """The case's current therapy: 'oncologic', 'low_dose', 'antiangiogenic' (antiangiogenic drugs only),
    'stopped' (drugs given before, none now) or 'none' (:func:`rules.dose_group`)."""
    return rules.dose_group(case)


def sdcep_risk_group(case: Case) -> str | None:
    """SDCEP 2017's 'higher' or 'lower' risk group for the case (:func:`rules.sdcep_risk_group`)."""
    return rules.sdcep_risk_group(case)


def _route(med: Any) -> str:
    """The route (:func:`rules.route_of`); a drug whose route cannot be told is taken as oral."""
    return rules.route_of(med) or "oral"


def drug_kind(med: Any) -> str:
    """'oral_bisphosphonate', 'iv_bisphosphonate', 'denosumab' or 'other' (for drug-holiday rules)."""
    cls = drug_catalogue()[med.drug]["class"]
    if cls.endswith("bisphosphonate"):
        return "iv_bisphosphonate" if _route(med) == "iv" else "oral_bisphosphonate"
    if med.drug == "denosumab":
        return "denosumab"
    return "other"


def before_therapy(case: Case) -> bool:
    """The drug has not started yet: a current drug with 0 months so far, or no drug at all for a patient
    whose indication (osteoporosis, bone metastases, myeloma, Paget) calls for one."""
    if any(m.current and m.months == 0 for m in case.medications):
        return True
    return not case.medications and case.indication != "other"


def scope(case: Case) -> str | None:
    """Which guideline items apply: 'oncology' (oncologic-dose therapy or an antiangiogenic cancer drug, current
    or planned: prevented as MRONJ is), 'osteoporosis' (low-dose therapy, current or planned) or None (stopped,
    no drug)."""
    group = dose_group(case)
    if group in ("oncologic", "antiangiogenic"):
        return "oncology"
    if group == "low_dose":
        return "osteoporosis"
    if before_therapy(case):
        return "oncology" if case.indication in ONCOLOGY_INDICATIONS else "osteoporosis"
    return None


def _is_oncology(case: Case) -> bool:
    return scope(case) == "oncology"


# --- checklists --------------------------------------------------------------------------------------------

def _applies(entry: dict[str, Any], case_scope: str | None) -> bool:
    applies_to = entry.get("applies_to", "all")
    return applies_to == "all" or applies_to == case_scope


def pretreatment_checklist(case: Case) -> list[dict[str, Any]]:
    """What to assess and finish before the antiresorptive starts (oncology items for oncologic dosing)."""
    case_scope = scope(case) or "osteoporosis"
    items = [as_item(e, phase="before_therapy") for e in _data()["pretreatment"] if _applies(e, case_scope)]
    present = set(case.risk_factors)
    for item in items:
        if item["id"] == "pre-modifiable-risk":
            item["present_in_case"] = [f for f in item["factors"] if f in present]
    return items


def during_therapy(case: Case) -> list[dict[str, Any]]:
    """Prevention while the patient is on the drug: hygiene, recall, dentures, the oncology surgery rule."""
    case_scope = scope(case)
    items = [as_item(e, phase="during_therapy") for e in _data()["during_therapy"] if _applies(e, case_scope)]
    group = sdcep_risk_group(case)
    for item in items:
        if item["id"] == "sdcep-risk-group":
            item["case_group"] = group
    return [i for i in items if i["id"] != "sdcep-risk-group" or group is not None]


def ctx_advice() -> list[dict[str, Any]]:
    """CTX does not predict MRONJ (meta-analysis), and the reported AAOMS position."""
    entry = _data()["ctx"]
    return [as_item(entry), as_item(entry["related"])]


def prophylaxis_advice() -> dict[str, Any]:
    """Antibiotic cover for extractions: contested (SDCEP: insufficient evidence; SICMF-SIPMO and the German
    S3 guideline reported to recommend it), with the positions side by side."""
    return as_item(_data()["prophylaxis"])


def _stage_of(case: Case) -> tuple[str, bool]:
    from .staging import stage

    result = stage(case)
    return result.stage, result.suspected


def elective_surgery_advice(case: Case, stage_code: str | None = None, suspected: bool | None = None,
                            today: dt.date | None = None) -> dict[str, Any]:
    """Advice on the case's planned procedure (or on elective dentoalveolar surgery when none is planned), from
    the one rule :func:`rules.elective_surgery_rule`.

    ``advice`` is one of: before_therapy (do it before the drug starts), no_exposure, routine (non-surgical
    care), specialist (suspected or staged MRONJ: planned with the specialist team), necessary (usually medically
    necessary: plan with the oncologist), avoid_elective (oncologic-dose therapy, dentoalveolar surgery),
    no_verified_rule (antiangiogenic drug alone: prevented as MRONJ), stopped (therapy stopped),
    proceed_with_precautions (osteoporosis doses). ``related`` carries the items that go with it: denosumab
    timing and the rebound warning, bevacizumab's wound-healing hold, osteoradionecrosis when the jaw was
    irradiated, the antibiotics side by side.
    """
    today = today or case.assessed_on
    if stage_code is None or suspected is None:
        stage_code, suspected = _stage_of(case)
    proc = case.planned_procedure
    considered = proc or "elective dentoalveolar surgery"
    decision = rules.elective_surgery_rule(case, stage_code, suspected, before_therapy(case), _is_oncology(case))
    section = "pretreatment" if decision.advice == "before_therapy" else "during_therapy"
    entry = _entry(section, decision.entry_id)
    related: list[dict[str, Any]] = []
    if decision.advice in ("before_therapy", "no_exposure"):
        return as_item(entry, procedure=proc, considered=considered, invasive=decision.invasive,
                       dose_group=decision.dose_group, advice=decision.advice, related=related)
    if decision.advice == "avoid_elective":
        related.append(as_item(_entry("during_therapy", "during-necessary-treatment")))
    if decision.advice == "proceed_with_precautions":
        related.append(prophylaxis_advice())
    dmab_current = [m for m in case.medications if rules.denosumab_status(m, case.indication, today) == "current"]
    if decision.advice == "proceed_with_precautions" and dmab_current:
        related.append(as_item(_entry("denosumab_timing", "dmab-ects2022")))
        related.append(as_item(_entry("denosumab_timing", "dmab-sdcep2017")))
    if rules.denosumab_not_current(case, today):
        if decision.entry_id != "during-stopped-denosumab":
            related.append(as_item(_entry("during_therapy", "during-stopped-denosumab")))
        related.append(as_item(_entry("denosumab_timing", "dmab-stopped-rebound")))
    if decision.invasive and any(m.drug == "bevacizumab" and m.current for m in case.medications):
        related.append(as_item(_entry("during_therapy", "bevacizumab-surgery-hold")))
    if decision.invasive and case.jaw_radiotherapy:
        from .management import radiotherapy_items

        related += radiotherapy_items()
    if proc == "implant":
        related.append(as_item(_entry("during_therapy", "during-implants-seed")))
    return as_item(
        entry, procedure=proc, considered=considered, invasive=decision.invasive, dose_group=decision.dose_group,
        advice=decision.advice, related=related,
    )


# --- drug holidays ----------------------------------------------------------------------------------------

def _holiday(entry_id: str, **extra: Any) -> dict[str, Any]:
    return as_item(_entry("drug_holidays", entry_id), **extra)


def _aaoms2009_row(years: float, steroids: bool) -> str:
    if years >= 3:
        return "holiday-aaoms2009-long"
    return "holiday-aaoms2009-short-steroids" if steroids else "holiday-aaoms2009-short"


def _superseded(row: dict[str, Any], condition_met: bool) -> dict[str, Any]:
    """A superseded guideline's row never applies: it is history. ``condition_met`` says whether its old
    condition would have matched the case (for teaching the change)."""
    row["applies"] = False
    row["condition_met"] = condition_met
    row["case_note"] = ("Superseded (" + ", ".join(map(str, _as_list(row.get("superseded_by")))) +
                        "): taught as history, never applied to a patient.")
    return row


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def drug_holiday_positions(case: Case, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every guideline's drug-holiday position for each of the case's drugs, side by side.

    Each item names the guideline, the drug, the years on it, whether corticosteroids are taken, and
    ``applies`` (whether the row's condition matches this case). A superseded row (AAOMS 2009, AAOMS 2014)
    never applies; ``condition_met`` says whether its old condition would have matched. ECTS 2022: a pause
    only for patients at high risk (the course's marker: SDCEP's higher-risk group), never for denosumab.
    """
    today = today or case.assessed_on
    steroids = "corticosteroids" in case.risk_factors
    antiangio = "antiangiogenic_cotherapy" in case.risk_factors or any(
        rules.regimen_group(m, case.indication) == "antiangiogenic" for m in _current(case)
    )
    oncology = _is_oncology(case)
    high_risk = sdcep_risk_group(case) == "higher"
    out: list[dict[str, Any]] = []
    for med in case.medications:
        years = round(med.months / 12, 2)
        kind = drug_kind(med)
        common = {"drug": med.drug, "drug_kind": kind, "years": years, "corticosteroids": steroids}
        rows: list[dict[str, Any]] = []
        dmab_status = rules.denosumab_status(med, case.indication, today)
        if dmab_status in ("stopped", "overdue"):
            rows.append(_holiday("holiday-dmab-not-current", applies=True, denosumab_status=dmab_status, **common))
            out.extend(rows)
            continue
        if not rules.was_given(med):
            continue                     # listed but never given: no position to take
        if not med.current:
            row_id = "holiday-not-current" if kind.endswith("bisphosphonate") else "holiday-not-applicable"
            rows.append(_holiday(row_id, applies=True, **common))
            out.extend(rows)
            continue
        if kind == "oral_bisphosphonate":
            rows.append(_superseded(_holiday(_aaoms2009_row(years, steroids), **common), True))
            rows.append(_superseded(_holiday("holiday-aaoms2014", **common), years > 4 or steroids or antiangio))
        if kind in ("oral_bisphosphonate", "iv_bisphosphonate", "denosumab"):
            rows.append(_holiday("holiday-aaoms2022", applies=True, **common))
            if kind == "denosumab":
                rows.append(as_item(_entry("denosumab_timing", "dmab-aaoms2022"), applies=True, **common))
                rows.append(as_item(_entry("denosumab_timing", "dmab-sdcep2017"), applies=not oncology, **common))
                rows.append(_holiday("holiday-ects2022-dmab", applies=not oncology, **common))
            else:
                rows.append(_holiday("holiday-sdcep2017", applies=True, **common))
                infrequent = kind == "iv_bisphosphonate" and (
                    (med.every_days or 0) >= 90 or rules.regimen_group(med, case.indication) == "low_dose")
                if infrequent:
                    rows.append(_holiday(
                        "holiday-ects2022-bp", applies=False, **common,
                        case_note="The ECTS pause (from at least 1 week before) is written for bisphosphonates "
                                  "taken often; with a yearly (or single) infusion there is no dose to pause in "
                                  "that week, so it does not apply."))
                else:
                    rows.append(_holiday("holiday-ects2022-bp", applies=not oncology and high_risk, **common))
                if not oncology:
                    rows.append(_holiday("holiday-ects2022-bp-low-risk", applies=not high_risk, **common))
            if oncology:
                rows.append(_holiday("holiday-mascc2019", applies=True, **common))
        else:
            rows.append(_holiday("holiday-not-applicable", applies=True, **common))
        for row in rows:
            row.setdefault("guideline", row["source"][0])
        rows.sort(key=lambda r: HOLIDAY_ORDER.index(r["guideline"]) if r["guideline"] in HOLIDAY_ORDER else 99)
        out.extend(rows)
    return out


def surgical_protocol() -> list[dict[str, Any]]:
    """The Spanish seed's protocol for surgery under antiresorptives, each element beside the guidelines."""
    return [
        as_item(e, action=e["seed"], kind="seed_claim") for e in _data()["surgical_protocol"]
    ]
