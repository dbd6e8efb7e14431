"""Values that the course notebooks' checks compute from the knowledge base and the models.

A check in ``checks/*.yaml`` whose answer depends on the course's data names one of these functions under
``values``; :func:`osteonecrosis.teaching.check_entry` calls it and fills the check's text with what it returns,
so the number is computed in tested code and never printed in the cell above the widget.
"""

from __future__ import annotations

from typing import Any

from . import course_views, knowledge, vocabulary
from .models import pharmacokinetics as pk

WEEKS_PER_YEAR_OF_TABLETS = 52  # the primer's exercise: one tablet a week for 52 weeks


def weekly_alendronate_total() -> dict[str, Any]:
    """Notebook 00: milligrams in 52 weekly alendronate tablets (dose from the drug catalogue)."""
    weekly = knowledge.find("alendronate-op-weekly", "drugs")
    return {"dose_mg": weekly["dose_mg"], "weeks": WEEKS_PER_YEAR_OF_TABLETS,
            "total_mg": weekly["dose_mg"] * WEEKS_PER_YEAR_OF_TABLETS, "source": weekly["source"]}


def mg_per_year(regimen: dict[str, Any]) -> float:
    """Milligrams a year of a catalogue regimen (dose x 365 days / dosing interval in days)."""
    return regimen["dose_mg"] * vocabulary.DAYS_PER_YEAR / regimen["every_days"]


def zoledronate_yearly_ratio() -> dict[str, Any]:
    """Notebook 01: how many times more zoledronic acid a year an oncology regimen gives than the osteoporosis one;
    an estimate within 20% either side is accepted."""
    regimens = course_views.regimens()
    onc, op = regimens["zoledronate-onc-monthly"], regimens["zoledronate-op-yearly"]
    ratio = mg_per_year(onc) / mg_per_year(op)
    return {"onc_dose_mg": onc["dose_mg"], "onc_every_days": onc["every_days"], "op_dose_mg": op["dose_mg"],
            "op_every_days": op["every_days"], "ratio": ratio, "low": round(ratio * 0.8, 1),
            "high": round(ratio * 1.2, 1), "onc_mg_year": mg_per_year(onc), "op_mg_year": mg_per_year(op)}


def alendronate_left_after_holiday(therapy_months: int, holiday_months: int = 2) -> dict[str, Any]:
    """Notebook 01: per cent of the skeletal alendronate store left after a holiday (the drug-level lab's model);
    a reading within 1 percentage point is accepted."""
    left = pk.level_curve("alendronate-op-weekly", therapy_months, holiday_months).percent_after_holiday()
    return {"left": left, "low": round(left - 1, 1), "high": min(100, round(left + 1, 1)),
            "holiday_months": holiday_months}


def smallest_hypothesis_set(marks: dict[str, dict[str, str]], observations: list[str]) -> dict[str, Any]:
    """Notebook 02: the fewest hypotheses of the notebook's evidence grid that together explain every
    observation."""
    return {"smallest": course_views.smallest_full_combination(marks, observations)}
