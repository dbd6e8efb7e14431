"""Short tables and small views for notebook 06 (prevention), so the notebook shows calls, not loops.

Each function reads the knowledge base through the package and returns a short :class:`~osteonecrosis.tables.Table`
or a thin ipywidgets view over such a function. A teaching aid, not a clinical decision tool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from . import knowledge, prevention, risk
from .cases import library, library_case
from .management_cases import _dropdown_view, find_item
from .tables import Table, denosumab_window_table, items_table, markdown_table, sources


def _pct(value: float) -> str:
    return f"{value:g}%"


def _range_text(entry: dict[str, Any]) -> str:
    if entry["low_percent"] == entry["high_percent"]:
        return f"about {_pct(entry['low_percent'])}"
    return f"{_pct(entry['low_percent'])} to {_pct(entry['high_percent'])}"


RISK_GROUPS: dict[str, str] = {"low_dose": "Osteoporosis doses", "oncology": "Oncologic doses"}
ROW_LABELS: dict[str, str] = {
    "taskforce-osteoporosis": "Task Force 2015: antiresorptives in osteoporosis",
    "taskforce-oncology": "Task Force 2015: antiresorptives in cancer",
    "aaoms2022-osteoporosis-oral-bp": "AAOMS 2022: oral bisphosphonate",
    "aaoms2022-osteoporosis-iv-zoledronate": "AAOMS 2022: zoledronic acid (osteoporosis dose)",
    "aaoms2022-osteoporosis-denosumab": "AAOMS 2022: denosumab (osteoporosis dose)",
    "aaoms2022-cancer-zoledronate": "AAOMS 2022: zoledronic acid in cancer",
    "aaoms2022-cancer-denosumab": "AAOMS 2022: denosumab in cancer",
    "mascc-zoledronate-oncology": "MASCC/ISOO/ASCO 2019: zoledronic acid every 3-4 weeks",
    "mascc-denosumab-oncology": "MASCC/ISOO/ASCO 2019: denosumab 120 mg every 4 weeks",
}


def risk_ranges_side_by_side(group: str = "low_dose") -> Table:
    """The ranges that disagree for a dose group, side by side (from :func:`osteonecrosis.risk.side_by_side`),
    each with what it measures and over what period; AAOMS 2022's figure after an extraction closes the table."""
    if group not in RISK_GROUPS:
        raise ValueError(f"group: unknown {group!r} (expected one of: {', '.join(RISK_GROUPS)})")
    rows = []
    notes = []
    for comparison in risk.side_by_side(group):
        standing = comparison.get("standing", "current")
        lead = "**Contested: both taught, neither graded.** " if standing == "contested" else ""
        notes.append(f"{lead}*{_one(comparison['text'])}* ({sources(comparison)})")
        for r in comparison["rows"]:
            rows.append([ROW_LABELS.get(r["id"], r["id"]), _range_text(r), r["period"], sources(r)])
    after = {e["group"]: e for e in knowledge.load("risk")["after_extraction"]}[group]
    rows.append(["AAOMS 2022: after a tooth extraction", _range_text(after), "after the extraction",
                 sources(after)])
    table = markdown_table(["Figure", "Range", "What it measures, over what period", "Sources"], rows,
                           caption=f"{RISK_GROUPS[group]}: the risk figures side by side")
    return Table(table.markdown + "\n\n" + "\n\n".join(notes), table.rows)


def risk_view() -> widgets.VBox:
    """A dose-group dropdown over :func:`risk_ranges_side_by_side`."""
    options = [(label, key) for key, label in RISK_GROUPS.items()]
    return _dropdown_view(options, risk_ranges_side_by_side, "Patients on")


def _one(text: Any) -> str:
    return " ".join(str(text).split())


def elective_surgery_table(case_ids: Sequence[str]) -> Table:
    """Elective surgery during therapy for some library patients: procedure, dose group, advice, sources."""
    lib = library()
    rows = []
    for cid in case_ids:
        case = lib[cid] if cid in lib else library_case(cid)
        advice = prevention.elective_surgery_advice(case)
        rows.append([case.extra.get("title", cid), advice["considered"], advice["dose_group"].replace("_", " "),
                     _one(advice["action"]), sources(advice)])
    return markdown_table(["Patient", "Procedure considered", "Dose group", "Advice", "Sources"], rows,
                          caption="Elective surgery during therapy")


def checklist_table(case_id: str) -> Table:
    """The before-therapy checklist for one library patient."""
    case = library_case(case_id)
    return items_table(prevention.pretreatment_checklist(case), caption=f"Before therapy: {case.extra['title']}")


def checklist_view(case_ids: Sequence[str]) -> widgets.VBox:
    """A patient dropdown over :func:`checklist_table`."""
    options = [(library_case(cid).extra.get("title", cid), cid) for cid in case_ids]
    return _dropdown_view(options, checklist_table, "Patient")


def denosumab_window_view(last_injection: dt.date) -> widgets.VBox:
    """A date picker over :func:`osteonecrosis.tables.denosumab_window_table`."""
    picker = widgets.DatePicker(description="Last injection", value=last_injection,
                                style={"description_width": "initial"})
    out = widgets.Output()

    def _redraw(_: object = None) -> None:
        out.outputs = ()
        if picker.value is not None:
            out.append_display_data(denosumab_window_table(picker.value))

    picker.observe(_redraw, names="value")
    _redraw()
    return widgets.VBox([picker, out])


def holiday_position(position_id: str) -> dict[str, Any]:
    """One drug-holiday position of ``knowledge/prevention.yaml`` by id."""
    return find_item(knowledge.load("prevention")["drug_holidays"], position_id)


def prophylaxis_positions() -> Table:
    """Antibiotic cover for extractions: a contested question, the positions side by side with their sources."""
    advice = prevention.prophylaxis_advice()
    rows = []
    for p in advice.get("positions") or []:
        rows.append([_one(p["says"]), sources(p)])
    return markdown_table(["Position", "Sources"], rows,
                          caption="Antibiotic cover for extractions: contested, the positions side by side")


def holiday_table(case_id: str) -> Table:
    """Every guideline's drug-holiday position for one library patient, and whether it applies to her or him."""
    from .tables import GUIDELINE_NAMES, entries_table

    case = library_case(case_id)
    positions = prevention.drug_holiday_positions(case)
    def applies(row: dict[str, Any]) -> str:
        if row.get("standing") == "superseded":
            met = "its old condition matches" if row.get("condition_met") else "its old condition does not match"
            return f"no: superseded, history only ({met})"
        return "yes" if row["applies"] else "no"

    return entries_table(positions, [("Guideline", lambda r: GUIDELINE_NAMES.get(r["guideline"], r["guideline"])),
                                     ("Applies?", applies), ("Position", "action")],
                         caption=f"Drug-holiday positions for: {case.extra.get('title', case_id)}")


def holiday_view(case_ids: Sequence[str]) -> widgets.VBox:
    """A patient dropdown over :func:`holiday_table`."""
    options = [(library_case(cid).extra.get("title", cid), cid) for cid in case_ids]
    return _dropdown_view(options, holiday_table, "Patient")


def seed_claims_view(claim_ids: Sequence[str]) -> widgets.VBox:
    """A dropdown of seed claims; each shows the claim beside its audit (one short table at a time)."""
    from .tables import seed_claims, seed_claims_table

    options = []
    for claim in seed_claims(claim_ids):
        words = _one(claim["claim"]).split()
        label = " ".join(words[:9]) + (" ..." if len(words) > 9 else "")
        options.append((label, claim["id"]))
    return _dropdown_view(options, lambda cid: seed_claims_table([cid], caption="The seed's claim beside its audit"),
                          "Seed claim")


def during_therapy_table(case_id: str) -> Table:
    """Advice during therapy for one library patient, guideline items only: the seed's claims are shown
    elsewhere, each beside its audit (:func:`seed_claims_view`), never on their own."""
    case = library_case(case_id)
    items = []
    for item in prevention.during_therapy(case):
        if item.get("evidence") != "seed_claim":
            items.append(item)
    return items_table(items, caption=f"During therapy: {case.extra.get('title', case_id)}")
