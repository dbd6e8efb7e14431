"""Answers for the questions notebook 08 pairs with its simulators, computed from the same pure functions.

Each simulator in notebook 08 comes with a question; the functions here compute what the simulator shows for the
question's settings (without a browser), so the notebook's checks and reveals answer exactly what was asked.
"""

from __future__ import annotations

from . import risk
from .models import cohort, pharmacokinetics
from .models.parameters import assumptions, value
from .widgets.risk_explorer import icon_counts


def per_1000(drug: str, indication: str) -> tuple[int, int]:
    """(low, high) people out of 1000 in the cited range for a drug and indication, as the risk explorer counts
    them (the high count is the top of the range, not the extra people)."""
    rng = risk.baseline_range(drug, indication)
    low, extra = icon_counts(rng.low_percent, rng.high_percent)
    return low, low + extra


def cohort_assumption_ids() -> list[str]:
    """Ids of the cohort lab's numbers that are course assumptions (no figure in the evidence map)."""
    out = []
    for p in assumptions():
        if p.id.startswith("cohort-"):
            out.append(p.id)
    return out


def prevented_per_1000(drug: str, indication: str, share_needing_extraction: float, share_foreseeable: float) -> float:
    """Cases per 1000 the bundle prevents in the model (middle of the cited range, point relative risk)."""
    params = risk.cohort_parameters(drug, indication)
    base, eff = params["baseline_incidence"], params["extraction_relative_effect"]
    p = 0.5 * (float(base["low"]) + float(base["high"]))
    without, bundle = cohort.bundle_incidence(p, share_needing_extraction, share_foreseeable, float(eff["point"]))
    return 1000.0 * (without - bundle)


def cohort_slider_answer(drug: str = "zoledronate", indication: str = "bone_metastases") -> str:
    """The answer to notebook 08's cohort-lab question: the bundle with 'foreseen' at 0, and which slider moves
    the benefit more (each raised by a tenth from the lab's starting values)."""
    q, c = value("cohort-share-needing-extraction"), value("cohort-share-foreseeable")
    now = prevented_per_1000(drug, indication, q, c)
    at_zero = prevented_per_1000(drug, indication, q, 0.0)
    more_q = prevented_per_1000(drug, indication, min(1.0, q + 0.1), c) - now
    more_c = prevented_per_1000(drug, indication, q, min(1.0, c + 0.1)) - now
    bigger = "foreseen by screening" if abs(more_c) > abs(more_q) else "need an extraction on therapy"
    return (f"At the starting values (need an extraction {q:.0%}, foreseen {c:.0%}) the bundle prevents about "
            f"**{now:.1f} cases per 1000**. With *foreseen* at 0 it prevents **{at_zero:.1f}**: a screening that "
            "foresees nothing moves no extraction before the first dose, so the bundle changes nothing. Raising "
            f"*need an extraction* by 10 points adds {more_q:.1f} per 1000; raising *foreseen* by 10 points adds "
            f"{more_c:.1f}. Here **{bigger}** moves the benefit more, and both are course assumptions.")


def holiday_cleared_percent(holiday_months: float, bp_regimen: str = "alendronate-op-weekly",
                            dmab_regimen: str = "denosumab-op", therapy_months: float = 60) -> tuple[float, float]:
    """(bisphosphonate store, denosumab serum level) cleared by a holiday, in % of the level at its start, as
    the drug-level lab computes it (its default regimens and therapy length)."""
    r = pharmacokinetics.compare_holiday(bp_regimen, dmab_regimen, therapy_months, holiday_months)
    return (100.0 * r["bisphosphonate"].fraction_cleared_by_holiday(),
            100.0 * r["denosumab"].fraction_cleared_by_holiday())


def holiday_answer(short_months: float = 2, long_months: float = 12) -> str:
    """The answer to notebook 08's drug-level question for a short and a long holiday."""
    parts = []
    for months in (short_months, long_months):
        bp, dm = holiday_cleared_percent(months)
        dm_text = "almost all" if dm >= 99.5 else f"{dm:.0f}%"
        parts.append(f"after **{months:g} months**: {bp:.0f}% of the bisphosphonate store is gone, and "
                     f"{dm_text} of the denosumab level")
    return ("In the lab's model, " + "; ".join(parts) + ". The skeletal store falls slowly (a half-life of "
            "years); denosumab is cleared within months. A model of drug levels, not of MRONJ risk.")
