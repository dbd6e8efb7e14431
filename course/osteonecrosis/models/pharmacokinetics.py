"""Drug levels: skeletal bisphosphonate retention against denosumab serum level, with a drug holiday.

Why a drug holiday clears a bisphosphonate slowly and denosumab quickly, in one picture.

Model (``knowledge/simulation.yaml``, section ``pharmacokinetics``):

- every dose adds one unit to a store that decays exponentially with the drug's half-life (one compartment,
  first-order elimination, doses superposed);
- a bisphosphonate's store is the skeleton: half-life from ``drugs.yaml`` (alendronate: more than 10 years;
  the course uses 10 years, the lower bound, and the same figure where a bisphosphonate has none of its own);
- denosumab's store is the serum: half-life about 26 days (label);
- levels are shown relative to the highest level reached during therapy (= 100%), so no uncited
  dose-to-concentration factor is needed;
- the holiday starts on the day the next dose would have been due (the first dose not given).

Assumptions and what is left out: absorption time, denosumab's nonlinear (target-mediated) clearance, the
slow release of buried bisphosphonate by later remodelling, and any link between level and MRONJ risk (how
fast the risk falls after stopping is not quantified in the sources read). A teaching model, not a clinical
predictor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..cases import drug_catalogue
from .parameters import ModelInputError, Parameter, param

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
BISPHOSPHONATE_CLASSES = ("nitrogen_bisphosphonate", "non_nitrogen_bisphosphonate")


@dataclass(frozen=True)
class Regimen:
    """One dosing regimen of the drug catalogue (or a custom interval for the same drug)."""

    id: str
    drug: str
    dose_mg: float
    every_days: float
    route: str
    indication: str

    def label(self) -> str:
        name = drug_catalogue()[self.drug]["name"]
        return f"{name} {self.dose_mg:g} mg {self.route.upper()} every {self.every_days:g} days ({self.indication})"


@dataclass(frozen=True)
class HalfLife:
    days: float
    store: str  # 'skeleton' or 'serum'
    provenance: Parameter | None
    note: str


@dataclass(frozen=True)
class LevelCurve:
    """Relative drug level over time for one regimen with a holiday (stop) marker."""

    regimen: Regimen
    t_days: np.ndarray
    level_percent: np.ndarray
    holiday_start_day: float
    holiday_days: float
    half_life: HalfLife
    dose_days: np.ndarray = field(repr=False)

    def percent_at(self, day: float) -> float:
        """Level on a given day, as % of the peak during therapy."""
        return float(np.interp(day, self.t_days, self.level_percent))

    def percent_at_holiday_start(self) -> float:
        """Level on the first day of the holiday, as % of the peak during therapy."""
        return self.percent_at(self.holiday_start_day)

    def percent_after_holiday(self) -> float:
        """Level at the end of the holiday, as % of the peak during therapy."""
        return self.percent_at(self.holiday_start_day + self.holiday_days)

    def fraction_cleared_by_holiday(self) -> float:
        """Share of the store at the holiday start that is gone by its end (0..1): exact, exponential."""
        return float(1.0 - 0.5 ** (self.holiday_days / self.half_life.days))

    def days_to_fall_to(self, percent: float) -> float:
        """Days after stopping until the level falls to ``percent`` % of the level at the stop."""
        if not 0 < percent < 100:
            raise ModelInputError(f"percent: must be between 0 and 100, got {percent!r}")
        return self.half_life.days * math.log2(100.0 / percent)


def regimens(drug: str | None = None) -> list[Regimen]:
    """Regimens of bisphosphonates and denosumab in the drug catalogue (the drugs this lab covers)."""
    out = []
    for d in drug_catalogue().values():
        if drug is not None and d["id"] != drug:
            continue
        if d["class"] not in BISPHOSPHONATE_CLASSES and d["id"] != "denosumab":
            continue
        for r in d.get("regimens", []):
            out.append(Regimen(r["id"], d["id"], float(r["dose_mg"]), float(r["every_days"]), r["route"],
                               r["indication"]))
    return out


def regimen(regimen_id: str) -> Regimen:
    """A regimen by id; ModelInputError naming the id when the lab does not cover it."""
    for r in regimens():
        if r.id == regimen_id:
            return r
    known = ", ".join(r.id for r in regimens())
    raise ModelInputError(f"regimen: unknown or not covered {regimen_id!r} (known: {known})")


def half_life(drug: str) -> HalfLife:
    """Half-life of a drug's store: skeletal for bisphosphonates, serum for denosumab."""
    cat = drug_catalogue()
    if drug not in cat:
        raise ModelInputError(f"drug: unknown drug {drug!r}")
    entry = cat[drug]
    hl = entry.get("half_life") or {}
    if entry["class"] in BISPHOSPHONATE_CLASSES:
        default = param("pk-bp-skeletal-half-life")
        if hl.get("value") and hl.get("unit") == "years":
            years = float(hl["value"])
            note = f"{hl.get('qualifier', '')} {years:g} years (drugs.yaml; {'; '.join(entry['source'])})".strip()
            return HalfLife(years * DAYS_PER_YEAR, "skeleton", default, note)
        return HalfLife(float(default.value) * DAYS_PER_YEAR, "skeleton", default,
                        f"no own figure: the course's {default.value:g}-year bisphosphonate default (assumed)")
    if drug == "denosumab":
        p = param("pk-denosumab-serum-half-life")
        return HalfLife(float(p.value), "serum", p, f"about {p.value:g} days (label)")
    raise ModelInputError(
        f"drug: {drug!r} has no verified half-life in the course; the drug-level lab covers bisphosphonates "
        "and denosumab"
    )


def level_curve(reg: Regimen | str, therapy_months: float, holiday_months: float,
                every_days: float | None = None, step_days: float | None = None) -> LevelCurve:
    """Relative level over therapy then a holiday of ``holiday_months`` (100% = peak during therapy).

    Doses are given at day 0 and every ``every_days`` (the regimen's interval unless overridden) while
    t < therapy end; the holiday starts when the next dose would have been due.
    """
    if isinstance(reg, str):
        reg = regimen(reg)
    if every_days is not None:
        if every_days <= 0:
            raise ModelInputError(f"dosing interval: must be more than 0 days, got {every_days!r}")
        reg = Regimen(f"{reg.id}-custom", reg.drug, reg.dose_mg, float(every_days), reg.route, reg.indication)
    if therapy_months <= 0:
        raise ModelInputError(f"time on the drug: must be more than 0 months, got {therapy_months!r}")
    if holiday_months < 0:
        raise ModelInputError(f"holiday: must not be negative, got {holiday_months!r} months")
    hl = half_life(reg.drug)
    dose_days = np.arange(0.0, therapy_months * DAYS_PER_MONTH, reg.every_days)
    stop = float(dose_days[-1] + reg.every_days)
    end = stop + max(holiday_months * DAYS_PER_MONTH, 1.0)
    if step_days is None:
        step_days = max(1.0, min(reg.every_days / 4, end / 2000))
    n = int(math.ceil(end / step_days)) + 1
    t = np.linspace(0.0, end, n)
    # Doses per grid interval, then the one-compartment recursion: level[i] = level[i-1] * decay + doses.
    k = math.log(2) / hl.days
    idx = np.searchsorted(t, dose_days, side="left")
    # Exact decay from each dose to its grid point, so a dose between grid points is not rounded.
    weights = np.exp(-k * (t[np.minimum(idx, n - 1)] - dose_days))
    added = np.bincount(np.minimum(idx, n - 1), weights=weights, minlength=n)
    decay = math.exp(-k * (t[1] - t[0]))
    level = np.empty(n)
    acc = 0.0
    for i in range(n):
        acc = acc * decay + added[i]
        level[i] = acc
    peak = float(level[t <= stop].max())
    return LevelCurve(reg, t, 100.0 * level / peak, stop, max(holiday_months, 0) * DAYS_PER_MONTH, hl,
                      dose_days)


def compare_holiday(bp_regimen: str, dmab_regimen: str, therapy_months: float,
                    holiday_months: float) -> dict[str, Any]:
    """Both curves for the same therapy length and holiday, plus a plain-language summary."""
    bp = level_curve(bp_regimen, therapy_months, holiday_months)
    dm = level_curve(dmab_regimen, therapy_months, holiday_months)
    if bp.half_life.store != "skeleton":
        raise ModelInputError(f"bisphosphonate regimen: {bp_regimen!r} is not a bisphosphonate")
    if dm.regimen.drug != "denosumab":
        raise ModelInputError(f"denosumab regimen: {dmab_regimen!r} is not a denosumab regimen")
    return {
        "bisphosphonate": bp,
        "denosumab": dm,
        "bp_left_percent": bp.percent_after_holiday(),
        "dmab_left_percent": dm.percent_after_holiday(),
        "bp_days_to_10_percent": bp.days_to_fall_to(10),
        "dmab_days_to_10_percent": dm.days_to_fall_to(10),
    }
