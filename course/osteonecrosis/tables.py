"""Display-ready tables for the course notebooks, built from knowledge entries, each row with its sources.

The functions return :class:`Table` objects: ``.markdown`` is the Markdown text (so tests can read it) and
Jupyter renders the table directly. Every row names its source keys and evidence status, and rows that
rest on unverified material are flagged 'reported', so a notebook never shows an uncited number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import knowledge

REPORTED = "*reported, unverified*"


@dataclass(frozen=True)
class Table:
    """A Markdown table (with an optional caption) that Jupyter renders as a table."""

    markdown: str
    rows: int

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown


def cell(value: Any) -> str:
    """One table cell: text on one line, pipes escaped, lists joined, None as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return " ".join(str(value).split()).replace("|", "\\|")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> Table:
    """A Markdown table from headers and rows of values (each value goes through :func:`cell`)."""
    body = [[cell(v) for v in row] for row in rows]
    for row in body:
        if len(row) != len(headers):
            raise ValueError(f"markdown_table: a row has {len(row)} cells for {len(headers)} headers")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    text = "\n".join(lines)
    if caption:
        text = f"**{caption}**\n\n{text}"
    return Table(text, len(body))


def is_unverified(entry: dict[str, Any]) -> bool:
    """True when the entry is from memory or rests on an unverified source ('reported' only)."""
    if entry.get("unverified") is True or entry.get("evidence") == "unverified":
        return True
    return any(knowledge.reference(k).verification == "unverified" for k in knowledge.source_keys(entry))


def sources(entry: dict[str, Any]) -> str:
    """The provenance cell of a row: source keys in brackets, the evidence status, a 'reported' flag."""
    keys = knowledge.source_keys(entry)
    text = ", ".join(f"[{k}]" for k in keys) + f" · {entry.get('evidence', '?')}"
    if is_unverified(entry):
        text += f" · {REPORTED}"
    return text


def entries_table(entries: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str | Callable[[dict], Any]]],
                  caption: str = "", with_sources: bool = True) -> Table:
    """One row per entry; ``columns`` are (header, key or function of the entry); a Sources column last."""
    headers = [h for h, _ in columns] + (["Sources"] if with_sources else [])
    rows = []
    for e in entries:
        row = [get(e) if callable(get) else e.get(get) for _, get in columns]
        if with_sources:
            row.append(sources(e))
        rows.append(row)
    return markdown_table(headers, rows, caption)


# --- Diagnosis and staging (notebook 04) --------------------------------------------------------------------

def case_definition_table() -> Table:
    """The three criteria of the AAOMS 2022 case definition."""
    crit = knowledge.load("staging")["case_definition"]["criteria"]
    return entries_table(crit, [("Criterion", lambda e: crit.index(e) + 1), ("All three are needed", "text")],
                         caption="MRONJ case definition (AAOMS 2022)")


def aaoms_stages_table() -> Table:
    """The AAOMS stages (2014 system carried into 2022) with their definitions."""
    stages = knowledge.load("staging")["aaoms2022"]["stages"]
    return entries_table(stages, [("Stage", "label"), ("Definition", "definition")],
                         caption="AAOMS 2022 staging")


def stage3_features_table() -> Table:
    """Findings that make a confirmed case stage 3."""
    feats = knowledge.load("staging")["aaoms2022"]["stage3_features"]
    return entries_table(feats, [("Stage-3 feature (any one)", "label")], caption="Stage-3 features")


def nonspecific_signs_table() -> Table:
    """The nonspecific signs of stage 0."""
    signs = knowledge.load("staging")["aaoms2022"]["nonspecific_signs"]
    return entries_table(signs, [("Nonspecific sign (stage 0)", "label")], caption="Nonspecific signs and findings")


def diagnosis_table(section: str, caption: str = "") -> Table:
    """A section of ``knowledge/diagnosis.yaml`` ('imaging' or 'differential') as a table."""
    data = knowledge.load("diagnosis")
    if section not in ("imaging", "differential"):
        raise ValueError(f"section: expected 'imaging' or 'differential', got {section!r}")
    entries = data[section]
    if section == "imaging":
        cols = [("Imaging", "name"), ("What it shows", "text")]
    else:
        cols = [("Condition", "name"), ("How to tell it from MRONJ", "text")]
    return entries_table(entries, cols, caption=caption)


# --- Management (notebook 05) -----------------------------------------------------------------------------------

def _actions(items: Sequence[dict[str, Any]]) -> str:
    return " ".join(cell(i.get("action") or i.get("text")) for i in items)


def management_side_by_side() -> Table:
    """By stage: the superseded AAOMS 2009/2014 table (history), AAOMS 2022 (current), and the seed's scheme."""
    from . import management

    n = management.seed_scheme("1")["study"]["patients"]
    rows = []
    for code in management.STAGE_CODES:
        table = management.history_stage_actions(code)
        shift = management.stage_actions(code)
        seed = management.seed_scheme(code)
        seed_text = seed["action"] or "(not covered)"
        rows.append([
            _stage_label(code),
            _actions(table) + " " + _src_keys(table),
            (_actions(shift) + " " + _src_keys(shift)) if shift else "–",
            f"{seed_text} [seed_es], [diaz_reverand2018] · one {n}-case series" if seed["action"] else seed_text,
        ])
    return markdown_table(
        ["Stage", "AAOMS stage table (2009, kept in 2014): superseded, history", "AAOMS 2022 (current standard)",
         f"Seed scheme (Díaz-Reverand 2018: a {n}-case series, not a guideline)"],
        rows, caption="Treatment by stage: guideline and seed side by side")


def _stage_label(code: str) -> str:
    from .staging import STAGE_LABELS

    return STAGE_LABELS[code]


def _src_keys(items: Sequence[dict[str, Any]]) -> str:
    keys = dict.fromkeys(k for i in items for k in knowledge.source_keys(i))
    flag = f" · {REPORTED}" if any(is_unverified(i) for i in items) else ""
    return ", ".join(f"[{k}]" for k in keys) + flag


def hbo_table() -> Table:
    """HBO schedules side by side: pressure, minutes, sessions, and whether a trial or series used them."""
    from . import management

    def pressure(p: dict[str, Any]) -> str:
        if p.get("pressure_ata") is not None:
            return f"{p['pressure_ata']:g} ATA"
        return p.get("pressure_text") or "not stated"

    def sessions(p: dict[str, Any]) -> str:
        if p.get("sessions_before") is not None and p.get("sessions_after") is not None:
            return f"{p['sessions_before']} before + {p['sessions_after']} after = {p['sessions_total']}"
        if p.get("sessions_initial") is not None and p.get("sessions_additional") is not None:
            return (f"{p['sessions_initial']}, then {p['sessions_additional']} more if improving "
                    f"(at most {p['sessions_total']})")
        return cell(p.get("sessions_total"))

    def minutes(p: dict[str, Any]) -> str:
        if p.get("sessions_per_day"):
            return f"{cell(p.get('minutes'))} ({p['sessions_per_day']} sessions a day)"
        return cell(p.get("minutes"))

    return entries_table(
        management.hbo_protocols(),
        [("Schedule", "name"), ("For", "indication"), ("Pressure", pressure), ("Minutes per session", minutes),
         ("Sessions", sessions), ("Used in a trial or series?", "supported"), ("What the studies say", "support")],
        caption="Hyperbaric oxygen schedules side by side")


def adjuncts_table() -> Table:
    """Adjunct therapies: what is given, and the best evidence (with its audit)."""
    from . import management

    def protocol(a: dict[str, Any]) -> str:
        return cell(a.get("action"))

    def evidence(a: dict[str, Any]) -> str:
        parts = []
        for key in ("protocol", "pentoclo", "correction"):
            if isinstance(a.get(key), dict):
                parts.append(cell(a[key].get("text")))
        for s in a.get("studies") or []:
            flag = f" ({REPORTED})" if s.get("unverified") else ""
            parts.append(cell(s.get("text")) + flag)
        if a.get("audit"):
            parts.append("Audit: " + cell(a["audit"]))
        return " ".join(parts)

    wanted = ("adj-pento", "adj-teriparatide", "adj-lprf", "adj-pbm")
    items = [a for a in management.adjuncts() if a["id"] in wanted]
    return entries_table(items, [("Adjunct", "name"), ("What is given", protocol), ("Evidence", evidence)],
                         caption="Adjunct therapies and their evidence")


def seed_audit_table(entries: Sequence[dict[str, Any]], claim: str = "claim", audit: str = "audit",
                     caption: str = "") -> Table:
    """Seed claims beside their audit: 'The seed says' | 'What the evidence says' | Sources."""
    return entries_table(entries, [("The seed says", claim), ("What the sources say", audit)], caption=caption)


def surgical_protocol_table() -> Table:
    """The seed's protocol for surgery under antiresorptives, element by element, beside the guidelines."""
    from . import prevention

    return entries_table(prevention.surgical_protocol(),
                         [("Element", "element"), ("The seed says", "seed"), ("What the guidelines say", "guidelines")],
                         caption="The seed's surgical protocol under antiresorptives")


def items_table(items: Sequence[dict[str, Any]], header: str = "What to do", caption: str = "") -> Table:
    """Plan-style items (with ``action`` or ``text``) as a one-column table plus sources."""
    return entries_table(items, [(header, lambda i: i.get("action") or i.get("text") or i.get("claim"))],
                         caption=caption)


# --- Prevention (notebook 06) -----------------------------------------------------------------------------------

GUIDELINE_NAMES = {
    "aaoms2009": "AAOMS 2009",
    "aaoms2014": "AAOMS 2014",
    "aaoms2022": "AAOMS 2022",
    "sdcep2017": "SDCEP 2017",
    "ects2022": "ECTS 2022",
    "mascc2019": "MASCC/ISOO/ASCO 2019",
    "none": "(no guideline)",
}

DRUG_GROUP_WORDS = {
    "oral_bisphosphonate": "oral bisphosphonate",
    "bisphosphonate": "bisphosphonate",
    "denosumab": "denosumab",
    "oncology": "oncologic-dose agents",
    "any": "any antiresorptive",
}


def drug_holiday_table() -> Table:
    """Every guideline's drug-holiday position in one table, in historical order (one row per position)."""
    from .prevention import HOLIDAY_ORDER

    entries = [e for e in knowledge.load("prevention")["drug_holidays"] if e["guideline"] in HOLIDAY_ORDER]
    entries.sort(key=lambda e: HOLIDAY_ORDER.index(e["guideline"]))
    return entries_table(
        entries,
        [("Guideline", lambda e: GUIDELINE_NAMES[e["guideline"]]),
         ("Drug", lambda e: DRUG_GROUP_WORDS.get(e["drug_group"], e["drug_group"])),
         ("Position", "action")],
        caption="Drug holidays, guideline by guideline")


def denosumab_window_table(last_injection: dt.date | str) -> Table:
    """Real dates for an invasive procedure after a denosumab 60 mg injection, by guideline."""
    from .prevention import DENOSUMAB_GUIDELINES, denosumab_window

    rows = []
    for g in DENOSUMAB_GUIDELINES:
        w = denosumab_window(last_injection, g)
        rows.append([GUIDELINE_NAMES[g], w["scheduled_next_dose"],
                     f"{w['procedure_earliest']} to {w['procedure_latest']}", w["next_injection_rule"], sources(w)])
    last = last_injection.isoformat() if isinstance(last_injection, dt.date) else last_injection
    return markdown_table(
        ["Guideline", "Scheduled next dose", "Window for the procedure", "Next injection", "Sources"],
        rows, caption=f"Last denosumab 60 mg injection on {last}")


# --- Other staging systems and other osteonecroses (notebooks 04 and 07) --------------------------------------

def section(name: str, *path: str) -> Any:
    """A part of a knowledge file by keys, e.g. ``section('other_osteonecrosis', 'osteoradionecrosis', 'dose')``."""
    data = knowledge.load(name)
    for key in path:
        try:
            data = data[key]
        except (KeyError, TypeError):
            raise KeyError(f"{name}.yaml has no section {'.'.join(path)!r}") from None
    return data


def sicmf_stages_table() -> Table:
    """The SICMF-SIPMO stages (clinical signs plus CT extent; A/B by symptoms)."""
    stages = section("other_osteonecrosis", "sicmf_sipmo", "stages")
    return entries_table(stages, [("Stage", "stage"), ("Name", "label"), ("Definition", "text")],
                         caption="SICMF-SIPMO clinical-radiological staging")


def aaoms_vs_sicmf(case_ids: Sequence[str]) -> Table:
    """Library cases staged by both systems, side by side, with the course's mapping assumptions counted."""
    from .cases import library, library_case
    from .other_staging import sicmf_stage_from_case
    from .staging import stage

    lib = library()
    rows = []
    for cid in case_ids:
        case = lib[cid] if cid in lib else library_case(cid)
        a, s = stage(case), sicmf_stage_from_case(case)
        rows.append([case.extra.get("title", cid), a.label, s.stage, "; ".join(s.reasons),
                     ", ".join(f"[{k}]" for k in dict.fromkeys([*a.source, *s.source]))])
    return markdown_table(["Case", "AAOMS 2022", "SICMF-SIPMO", "Why (SICMF-SIPMO)", "Sources"], rows,
                          caption="The same cases, two staging systems")


def text_entries_table(entries: Sequence[dict[str, Any]], header: str = "What the sources say",
                       name_key: str | None = None, name_header: str = "", caption: str = "") -> Table:
    """Entries with a ``text`` field (optionally a name column) plus sources."""
    cols: list[tuple[str, str | Callable[[dict], Any]]] = []
    if name_key:
        cols.append((name_header or name_key.capitalize(), name_key))
    cols.append((header, "text"))
    return entries_table(entries, cols, caption=caption)


VERDICT_WORDS = {
    "correct": "correct",
    "partly_correct": "partly correct",
    "unsupported": "unsupported",
    "disputed": "disputed",
    "misattributed": "misattributed",
    "outdated": "outdated",
}


def seed_claims(ids: Sequence[str]) -> list[dict[str, Any]]:
    """Claims of ``knowledge/seed_audit.yaml`` by id, in the order given; KeyError naming a missing id."""
    data = knowledge.load("seed_audit")
    pool = {c["id"]: c for key in ("claims", "evidence_map_claims") for c in data.get(key, [])}
    missing = [i for i in ids if i not in pool]
    if missing:
        raise KeyError(f"seed_audit.yaml has no claim {missing[0]!r}")
    return [pool[i] for i in ids]


def seed_claims_table(ids: Sequence[str], caption: str = "The seed's claims beside their audit") -> Table:
    """Seed claims beside their audit: claim, verdict, what the sources say, and the audit's sources."""
    rows = []
    for c in seed_claims(ids):
        audit = c["audit"]
        text = cell(audit["text"])
        note = audit.get("unverified_note")
        if note:
            text += f" {cell(note['text'])} ({REPORTED})"
        seed = "French seed" if c.get("seed") == "fr" else "Spanish seed" if c.get("seed") == "es" else "evidence map"
        rows.append([f"{cell(c['claim'])} *({seed})*", f"**{VERDICT_WORDS[audit['verdict']]}**", text,
                     sources(audit)])
    return markdown_table(["The seed says", "Verdict", "What the guidelines and trials say", "Sources"], rows,
                          caption=caption)
