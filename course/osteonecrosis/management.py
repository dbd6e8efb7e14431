"""MRONJ management as plain data: AAOMS 2022 management (current), the 2009/2014 stage table (history,
superseded), surgical outcomes with their definitions, adjuncts and HBO schedules.

Every function returns JSON-able items read from ``knowledge/management.yaml``; each item carries
``id``, ``action`` (or ``text``/``claim``), ``source`` (registry keys), ``citations`` and ``evidence``.
Items marked evidence ``unverified`` are 'reported' only and are never answer keys.
"""

from __future__ import annotations

from typing import Any

from . import knowledge

STAGE_CODES: tuple[str, ...] = ("at_risk", "0", "1", "2", "3")
TREATED_STAGES: tuple[str, ...] = ("1", "2", "3")

# Fields of a knowledge entry that are provenance or bookkeeping, not content.
_PROVENANCE = {"source", "evidence", "answer"}


# The cited form of each knowledge entry, built once: entry id(...) -> (the entry itself, its item). The entry is
# kept so a recycled id() can never return another entry's item.
_ITEMS: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _base_item(entry: dict[str, Any]) -> dict[str, Any]:
    hit = _ITEMS.get(id(entry))
    if hit is not None and hit[0] is entry:
        return hit[1]
    item = {k: v for k, v in entry.items() if k not in _PROVENANCE and not _is_entry(v)}
    item.update(knowledge.cite(entry))
    item["unverified"] = _unverified(entry)
    item["standing"] = str(entry.get("standing", "current"))
    if "positions" in entry:
        item["positions"] = [{"says": " ".join(str(p["says"]).split()), **knowledge.cite(p)}
                             for p in entry["positions"]]
    _ITEMS[id(entry)] = (entry, item)
    return item


def as_item(entry: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A knowledge entry as a plan item: its content fields, then source, citations, evidence and standing
    (a contested entry's positions come side by side, each cited). Each call returns a fresh dict (its lists are
    fresh copies), so callers may add or change keys."""
    base = _base_item(entry)
    item = {k: (list(v) if isinstance(v, list) else v) for k, v in base.items()}
    if "positions" in item:
        item["positions"] = [dict(p) for p in item["positions"]]
    item.update(extra)
    return item


def _is_entry(value: Any) -> bool:
    """Nested entries (a mapping with an id, or a list of them) are expanded by their own functions."""
    if isinstance(value, dict):
        return "id" in value or any(isinstance(v, dict) and "id" in v for v in value.values())
    if isinstance(value, list):
        return any(isinstance(v, dict) and "id" in v for v in value)
    return False


def _unverified(entry: dict[str, Any]) -> bool:
    """True when the item is from memory or rests on an unverified source: teach it as 'reported' only."""
    if entry.get("evidence") == "unverified":
        return True
    return any(knowledge.reference(k).verification == "unverified" for k in knowledge.source_keys(entry))


def _data() -> dict[str, Any]:
    return knowledge.load("management")


def stage_code(stage: Any) -> str:
    """Normalise a stage ("at_risk", "0".."3", or an int 0-3); ValueError naming the value otherwise."""
    code = str(stage) if isinstance(stage, int) and not isinstance(stage, bool) else stage
    if code not in STAGE_CODES:
        raise ValueError(f"stage: unknown stage {stage!r} (expected one of: {', '.join(STAGE_CODES)})")
    return code


def stage_actions(stage: str) -> list[dict[str, Any]]:
    """AAOMS 2022 management for a stage code (the course's reference standard): nonoperative and operative
    care both acceptable at every stage, chosen with the patient. Each item has ``standing: current``."""
    code = stage_code(stage)
    table = _data()["aaoms2022_management"]
    return [as_item(e, stage=code, kind="aaoms2022") for e in table["stages"][code]]


def history_stage_actions(stage: str) -> list[dict[str, Any]]:
    """The AAOMS 2009 stage table (kept in 2014) for a stage code: history, ``standing: superseded`` by
    AAOMS 2022 (resection kept for stage 3, surgery after conservative care failed). Never an answer key."""
    code = stage_code(stage)
    table = _data()["aaoms_stage_table"]
    return [as_item(e, stage=code, kind="aaoms_table_history") for e in table["stages"][code]]


def aaoms2022_shift(stage: str) -> list[dict[str, Any]]:
    """The operative options AAOMS 2022 accepts at this stage (what changed since the 2009/2014 table)."""
    code = stage_code(stage)
    return [i for i in stage_actions(code) if "either" in i["id"] or "resection" in i["id"]]


def surgery_outcomes() -> list[dict[str, Any]]:
    """The surgical outcome figures side by side, each with its own outcome definition and population, and the
    note that they cannot be compared as one number."""
    wanted = ("surgery-stage2-success", "surgery-pooled-1137", "surgery-outcomes-not-comparable")
    return [i for i in surgery_evidence() if i["id"] in wanted]


def surgery_evidence() -> list[dict[str, Any]]:
    """The verified studies behind the move towards earlier surgery."""
    return [as_item(e, kind="evidence") for e in _data()["surgery_evidence"]]


def seed_scheme(stage: str | None) -> dict[str, Any]:
    """The Spanish seed's stage scheme, labelled as one 19-case series (never a guideline).

    ``action`` is the seed's action for stages 1-3 and None for other stages (the scheme does not cover them).
    """
    scheme = _data()["seed_scheme"]
    if stage is None or stage == "not_mronj":
        code = stage
    else:
        code = stage_code(stage)
    out = as_item(scheme, kind="seed_claim", is_guideline=False, text=scheme["label"])
    out["study"] = as_item(scheme["study"])
    out["stage"] = code
    step = scheme["stages"].get(code) if code else None
    if step is None:
        out["action"] = None
        out["note"] = "The seed's scheme covers stages 1, 2 and 3 only."
    else:
        out["action"] = step["action"]
        out["step"] = as_item(step)
    return out


def _nested(entry: dict[str, Any]) -> dict[str, Any]:
    """Expand an adjunct's nested entries (definition, protocol, studies ...) into items."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if isinstance(value, dict) and "id" in value:
            out[key] = as_item(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
            out[key] = [as_item(v) for v in value]
    return out


def adjuncts() -> list[dict[str, Any]]:
    """Adjunct therapies (HBO, PENTO, teriparatide, L-PRF, lasers, rinses, antibiotics, the seed's rinse),
    each with its protocol, studies and audit."""
    items = []
    for entry in _data()["adjuncts"]:
        item = as_item(entry, kind="adjunct")
        item.update(_nested(entry))
        items.append(item)
    return items


def adjunct(adjunct_id: str) -> dict[str, Any]:
    """One adjunct by id (e.g. 'adj-hbo', 'adj-wonder-rinse'); KeyError naming the id when absent."""
    for item in adjuncts():
        if item["id"] == adjunct_id:
            return item
    known = ", ".join(i["id"] for i in adjuncts())
    raise KeyError(f"no adjunct {adjunct_id!r} (known: {known})")


def wonder_rinse() -> dict[str, Any]:
    """The seed's 'Wonder' rinse, flagged: a compounded mucositis rinse no MRONJ guideline recommends."""
    return adjunct("adj-wonder-rinse")


_HBO_FIELDS = (
    "pressure_ata", "minutes", "sessions_before", "sessions_after", "sessions_total", "sessions_per_day",
)


def _hbo_text(p: dict[str, Any]) -> str:
    pressure = p.get("pressure_text", "pressure not stated")
    if p["pressure_ata"] is not None:
        pressure = f"{p['pressure_ata']:g} ATA"
    minutes = f"{p['minutes']} min" if p["minutes"] is not None else "session length not stated"
    if p["sessions_before"] is not None and p["sessions_after"] is not None:
        sessions = f"{p['sessions_before']} sessions before and {p['sessions_after']} after surgery"
    elif p.get("sessions_initial") is not None:
        sessions = f"{p['sessions_initial']} sessions, then {p['sessions_additional']} more if improving"
    else:
        sessions = f"{p['sessions_total']} sessions"
    per_day = f", {p['sessions_per_day']} a day" if p.get("sessions_per_day") else ""
    return f"{p['name']}: {pressure}, {minutes}, {sessions}{per_day}."


def hbo_protocols() -> list[dict[str, Any]]:
    """HBO schedules side by side: pressure (ATA), minutes, sessions before/after/total where known,
    whether the schedule is supported by a trial or series, source and evidence."""
    out = []
    for entry in _data()["hbo_protocols"]:
        item = as_item(entry, kind="hbo_protocol")
        for key in _HBO_FIELDS:
            item.setdefault(key, None)
        item.setdefault("text", _hbo_text(item))
        out.append(item)
    return out


def hbo_protocol(protocol_id: str) -> dict[str, Any]:
    """One HBO schedule by id; KeyError naming the id when absent."""
    for item in hbo_protocols():
        if item["id"] == protocol_id:
            return item
    known = ", ".join(p["id"] for p in hbo_protocols())
    raise KeyError(f"no HBO protocol {protocol_id!r} (known: {known})")


def hbo_sessions_total(protocol_id: str) -> int:
    """Total number of chamber sessions of a schedule (before + after surgery when split)."""
    p = hbo_protocol(protocol_id)
    if p["sessions_total"] is not None:
        return int(p["sessions_total"])
    if p["sessions_before"] is not None and p["sessions_after"] is not None:
        return int(p["sessions_before"]) + int(p["sessions_after"])
    raise ValueError(f"{protocol_id}: the total number of sessions is not known")


def hbo_chamber_hours(protocol_id: str) -> float:
    """Hours breathing oxygen under pressure over the whole schedule (sessions x minutes / 60)."""
    p = hbo_protocol(protocol_id)
    if p["minutes"] is None:
        raise ValueError(f"{protocol_id}: the session length is not known")
    return hbo_sessions_total(protocol_id) * p["minutes"] / 60


def unsupported_hbo_schedules() -> list[str]:
    """Ids of HBO schedules that no trial, series or guideline supports (the seed's 60 sessions)."""
    return [p["id"] for p in hbo_protocols() if not p["supported"]]


def drug_decision() -> list[dict[str, Any]]:
    """Stopping or continuing the drug: a risk-benefit decision with the prescriber."""
    return [as_item(e, kind="drug_decision") for e in _data()["drug_decision"]]


NOT_MRONJ_REASONS: tuple[str, ...] = (
    "before_therapy", "antiangiogenic_only", "no_drug", "jaw_radiotherapy", "jaw_metastasis", "short_exposure",
)


def not_mronj_actions(reasons: list[str]) -> list[dict[str, Any]]:
    """What to do when a case is not MRONJ, for reason codes in :data:`NOT_MRONJ_REASONS`."""
    for r in reasons:
        if r not in NOT_MRONJ_REASONS:
            raise ValueError(f"reason: unknown {r!r} (expected one of: {', '.join(NOT_MRONJ_REASONS)})")
    entries = {e["reason"]: e for e in _data()["not_mronj"]}
    return [as_item(entries[r], kind="not_mronj") for r in NOT_MRONJ_REASONS if r in reasons]


def ischemic_osteonecrosis() -> list[dict[str, Any]]:
    """The French seed's 'ischemic osteonecrosis' management, each claim beside its audit."""
    return [as_item(e, kind="seed_audit") for e in _data()["ischemic_osteonecrosis"]]


def referral_items() -> list[dict[str, Any]]:
    """The referral item every suspected or staged case carries (oral and maxillofacial surgery / oral medicine)."""
    return [as_item(e, kind="referral") for e in _data()["referral"]]


def radiotherapy_items() -> list[dict[str, Any]]:
    """Osteoradionecrosis items for a case whose jaw was irradiated: the dose to the site, the head and neck team,
    and HOPON (prophylactic HBO gave no benefit)."""
    return [as_item(e, kind="osteoradionecrosis") for e in _data()["radiotherapy"]]
