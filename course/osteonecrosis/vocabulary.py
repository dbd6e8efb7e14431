"""One vocabulary for the course and its assignments: ids, display names, units, rounding, year length.

Every id an assignment asks a student to type (a drug, a drug class, a stage, a risk group), every unit
(per cent, per 1000, per 10,000), the rounding rule and the length of a year are defined here once. The
course notebooks print the same ids beside their display names (:func:`id_table`); the assignments' questions
and tests use the same ids, so the course and the assignments cannot drift apart.
"""

from __future__ import annotations

from .cases import drug_catalogue
from .sealed import SIGNIFICANT
from .staging import STAGE_LABELS, STAGES

#: Days in a year for every "per year" figure of the course (doses per year, mg per year).
DAYS_PER_YEAR: int = 365

#: Patients "per 1000" and "per 10,000": natural frequencies (1% = 10 per 1000 = 100 per 10,000).
PER_1000: int = 1000
PER_10000: int = 10_000

#: How computed numbers are graded: unrounded answers, compared to 6 significant digits (the sealed checks' rule,
#: osteonecrosis.sealed; a question that wants another precision says so).
SIGNIFICANT_DIGITS: int = SIGNIFICANT
ROUNDING_RULE = "Give computed numbers unrounded (keep every decimal); they are graded to 6 significant digits."

#: Drug classes: id the code uses -> display name the course shows.
DRUG_CLASSES: dict[str, str] = {
    "nitrogen_bisphosphonate": "bisphosphonate (nitrogen-containing)",
    "non_nitrogen_bisphosphonate": "bisphosphonate (non-nitrogen)",
    "rank_ligand_antibody": "RANKL antibody",
    "sclerostin_antibody": "sclerostin antibody",
    "antiangiogenic": "antiangiogenic",
}

#: Stage codes (text, never numbers) -> display names.
STAGE_NAMES: dict[str, str] = {code: STAGE_LABELS[code] for code in STAGES}

#: Risk groups of the extraction data (the keys of ``risk.extraction_effect()["absolute_after_extraction"]``).
RISK_GROUPS: dict[str, str] = {
    "oncology": "oncology doses (cancer)",
    "low_dose": "osteoporosis doses (low dose)",
}

#: Route codes of the drug catalogue -> display words.
ROUTES: dict[str, str] = {"oral": "oral", "iv": "IV", "sc": "SC"}

#: Where a drug is held, by half-life kind.
STORES: dict[str, str] = {"skeletal": "in the skeleton", "serum": "in serum", "plasma": "in plasma"}


def drug_names() -> dict[str, str]:
    """Drug id (lower-case INN, what code and assignments use) -> display name ('Zoledronic acid')."""
    return {drug_id: d["name"] for drug_id, d in drug_catalogue().items()}


def display_name(identifier: str) -> str:
    """The display name of any id of the vocabulary (drug, class, stage, risk group, route)."""
    for table in (drug_names(), DRUG_CLASSES, STAGE_NAMES, RISK_GROUPS, ROUTES):
        if identifier in table:
            return table[identifier]
    raise KeyError(f"{identifier!r} is not an id of the course's vocabulary")


def id_table(kind: str = "drugs") -> str:
    """A Markdown table of ids beside display names (kind: drugs, classes, stages, risk_groups)."""
    tables = {"drugs": drug_names(), "classes": DRUG_CLASSES, "stages": STAGE_NAMES, "risk_groups": RISK_GROUPS}
    if kind not in tables:
        raise ValueError(f"unknown vocabulary {kind!r}; choose one of {', '.join(tables)}")
    rows = ["| write in code | the course calls it |", "|---|---|"]
    rows += [f"| `{repr(key)}` | {name} |" for key, name in tables[kind].items()]
    return "\n".join(rows)


def doses_per_year(every_days: float) -> float:
    """How many doses a regimen given every ``every_days`` days gives in a year of :data:`DAYS_PER_YEAR`."""
    return DAYS_PER_YEAR / every_days


def percent_to_per(percent: float, per: int = PER_1000) -> float:
    """A percentage of patients as patients per ``per`` (1% = 10 per 1000)."""
    return percent * per / 100
