"""Values that the course notebooks' checks compute from the knowledge base and the models.

A check in ``checks/*.yaml`` whose answer depends on the course's data names one of these functions under
``values``; :func:`osteonecrosis.teaching.check_entry` calls it and fills the check's text with what it returns,
so the number is computed in tested code and never printed in the cell above the widget.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import (
    course_views,
    knowledge,
    management,
    other_staging,
    prevention,
    prevention_views,
    risk,
    rules,
    simulation_questions,
    tables,
    vocabulary,
)
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


def alendronate_upper_per_1000() -> dict[str, Any]:
    """Notebook 03: the top of the course's alendronate (osteoporosis) range, per 1000 people."""
    rng = risk.baseline_range("alendronate", "osteoporosis")
    hi = rng.per_1000()[1]
    return {"low_percent": rng.low_percent, "high_percent": rng.high_percent, "hi": hi, "hi_10000": hi * 10,
            "basis": " ".join(rng.basis.split())}


def oncology_osteoporosis_ratio() -> dict[str, Any]:
    """Notebook 03: how many times higher the cancer figure is than the osteoporosis figure after an extraction
    (one measure from one source); an estimate within 10% either side is accepted."""
    entry = knowledge.find("oncology-vs-osteoporosis", "risk")
    after = {e["id"]: e for e in knowledge.load("risk")["after_extraction"]}
    onc, op = after[entry["compared"][0]], after[entry["compared"][1]]
    ratio = onc["high_percent"] / op["high_percent"]
    return {"onc_low": onc["low_percent"], "onc_high": onc["high_percent"], "op_low": op["low_percent"],
            "op_high": op["high_percent"], "ratio": ratio, "low": ratio * 0.9, "high": ratio * 1.1,
            "text": " ".join(entry["text"].split())}


def modifiable_risk_factors() -> dict[str, Any]:
    """Notebook 03: the risk factors the knowledge base marks modifiable, as a sentence."""
    return {"modifiable": ", ".join(course_views.modifiable_factors())}


def denosumab_osteoporosis_upper() -> dict[str, Any]:
    """Notebook 03: the top of the denosumab (osteoporosis) range, per 10 000 and per 1000 people."""
    rng = risk.baseline_range("denosumab", "osteoporosis")
    return {"per_10000": rng.high_percent * 100, "per_1000": rng.per_1000()[1]}


def seed_scheme_series() -> dict[str, Any]:
    """Notebook 05: the number of patients of the series behind the seed's stage-based surgical scheme."""
    return {"patients": management.seed_scheme("1")["study"]["patients"]}


def freiberger_sessions() -> dict[str, Any]:
    """Notebook 05: the HBO schedule of the one randomised MRONJ trial."""
    rct = management.hbo_protocol("hbo-freiberger2012-rct")
    return {"sessions": rct["sessions_total"], "pressure_ata": rct["pressure_ata"],
            "per_day": rct["sessions_per_day"]}


def wonder_rinse_audit() -> dict[str, Any]:
    """Notebook 05: the audit of the seed's 'Wonder' rinse."""
    return {"audit": management.wonder_rinse()["audit"]}


def arco_example() -> dict[str, Any]:
    """Notebook 07: ARCO 2019 stage of the notebook's hip (abnormal X-ray, positive MRI, no subchondral
    fracture), from the course's ARCO function."""
    result = other_staging.arco2019_stage(xray_abnormal=True, mri_or_scan_positive=True, subchondral_fracture=False)
    return {"stage": result.stage, "reasons": "; ".join(result.reasons)}


def hip_bilaterality() -> dict[str, Any]:
    """Notebook 07: how often femoral-head osteonecrosis is (or becomes) bilateral, per 100 patients."""
    entry = tables.section("other_osteonecrosis", "femoral_head")["bilaterality"][0]
    return {"low": entry["min_percent"], "high": entry["max_percent"], "text": entry["text"]}


def _jaw(entry_id: str) -> dict[str, Any]:
    return course_views.by_id(tables.section("other_osteonecrosis", "ischemic_jaw"))[entry_id]


def curettage_survey() -> dict[str, Any]:
    """Notebook 07: the seed's curettage figure and what its source measured."""
    entry = _jaw("bouquot1995-curettage")
    return {"percent": entry["long_term_pain_abatement_percent"], "text": entry["text"]}


def glueck_series() -> dict[str, Any]:
    """Notebook 07: patients with thrombophilia or hypofibrinolysis in Glueck 1996's jaw series."""
    entry = _jaw("glueck1996-thrombophilia")
    return {"with_coagulopathy": entry["with_coagulopathy"], "patients": entry["patients"]}


def holiday_lab_answer() -> dict[str, Any]:
    """Notebook 08: what the drug-level lab shows after 2- and 12-month holidays."""
    return {"answer": simulation_questions.holiday_answer(2, 12)}


def persisting_weeks() -> dict[str, Any]:
    """Notebook 08: the case definition's weeks, and half of them (the quiz's early socket)."""
    weeks = rules.persisting_weeks_threshold()
    return {"weeks": f"{weeks:g}", "half": f"{weeks / 2:g}"}


def zoledronate_oncology_per_1000() -> dict[str, Any]:
    """Notebook 08: the risk explorer's count out of 1000 for zoledronate in bone metastases."""
    low, high = simulation_questions.per_1000("zoledronate", "bone_metastases")
    return {"low": low, "high": high,
            "sources": ", ".join(risk.baseline_range("zoledronate", "bone_metastases").source)}


def zoledronate_osteoporosis_range() -> dict[str, Any]:
    """Notebook 08: the cited range for zoledronate at the osteoporosis dose."""
    rng = risk.baseline_range("zoledronate", "osteoporosis")
    return {"low_percent": rng.low_percent, "high_percent": rng.high_percent, "sources": ", ".join(rng.source)}


def cohort_lab_answer() -> dict[str, Any]:
    """Notebook 08: what the cohort lab's sliders do, and which of its numbers are course assumptions."""
    return {"answer": simulation_questions.cohort_slider_answer(),
            "assumed": "; ".join(simulation_questions.cohort_assumption_ids())}


def staging_weeks() -> dict[str, Any]:
    """Notebook 04: the case definition's weeks, a socket two weeks short of it, and one four weeks past it."""
    weeks = rules.persisting_weeks_threshold()
    return {"weeks": weeks, "early": weeks - 2, "late": weeks + 4}


def implant_patients() -> dict[str, Any]:
    """Notebook 06: the two exposed patients of the implant quiz, with their catalogue regimens."""
    dmab, zol = knowledge.find("denosumab-op", "drugs"), knowledge.find("zoledronate-myeloma", "drugs")
    return {"on_denosumab": (f"A woman on denosumab {dmab['dose_mg']:g} mg every {dmab['every_days']:g} days "
                             "for osteoporosis"),
            "on_zoledronate": (f"A man on zoledronic acid {zol['dose_mg']:g} mg every {zol['every_days']:g} days "
                               "for myeloma")}


def ects_window_dates(last: dt.date) -> dict[str, Any]:
    """Notebook 06: a date inside the ECTS 2022 denosumab window after ``last``, one too early, one too late."""
    ects = prevention.denosumab_window(last, "ects2022")
    earliest = dt.date.fromisoformat(ects["procedure_earliest"])
    scheduled = dt.date.fromisoformat(ects["scheduled_next_dose"])
    return {"last": last.isoformat(), "inside": (earliest + dt.timedelta(days=10)).isoformat(),
            "too_early": (last + dt.timedelta(days=60)).isoformat(),
            "too_late": (scheduled + dt.timedelta(days=21)).isoformat(), "earliest": ects["procedure_earliest"],
            "latest": ects["procedure_latest"], "next_rule": ects["next_injection_rule"]}


def windows_after_august(last: dt.date) -> dict[str, Any]:
    """Notebook 06: the ECTS 2022 and SDCEP windows after a last injection on 31 August of ``last``'s year."""
    aug31 = dt.date(last.year, 8, 31)
    ects, sdcep = prevention.denosumab_window(aug31, "ects2022"), prevention.denosumab_window(aug31, "sdcep2017")
    return {"aug31": aug31.isoformat(), "ects_open": ects["procedure_earliest"], "ects_close": ects["procedure_latest"],
            "sdcep_open": sdcep["procedure_earliest"], "sdcep_close": sdcep["procedure_latest"]}


def ects_bisphosphonate_pause() -> dict[str, Any]:
    """Notebook 06: ECTS 2022's bisphosphonate pause, as the holiday table words it."""
    return {"action": " ".join(prevention_views.holiday_position("holiday-ects2022-bp")["action"].split())}
