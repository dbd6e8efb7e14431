"""Bone remodelling lab: the Komarova et al. (2003) osteoclast-osteoblast model, with drug effects.

The published model (time in days; ``knowledge/simulation.yaml``, section ``remodelling``)::

    dx1/dt = a1 x1^g11 x2^g21 - b1 x1        osteoclasts
    dx2/dt = a2 x1^g12 x2^g22 - b2 x2        osteoblasts
    dz/dt  = -k1 y1 + k2 y2                  bone mass (%), y_i = cells above their steady state

Parameter values are those of the paper as reproduced in the curated BioModels entry (BIOMD0000000148);
the registry marks the paper itself as not read in full, so the values are taught as 'reported'. The
steady state is x1 = 1.06, x2 = 212.1 cells (computed, not typed in).

Drug effects added by the course (teaching assumptions, each in simulation.yaml):

- denosumab lowers osteoclast *formation* (RANKL blocked). Its effect follows the serum level of
  :mod:`.pharmacokinetics` through an Emax curve, calibrated so one injection lasts its 6-month interval;
  full effect lowers steady-state resorption by 85% (label: markers fall about 85%);
- osteoclast precursors that cannot mature accumulate in a pool (turnover time from simulation.yaml) and
  mature at once when denosumab wears off: the model's mechanism for the cited rebound (turnover above
  pre-treatment levels, rapid bone loss after stopping);
- a bisphosphonate raises osteoclast *removal* (apoptosis). Its effect builds up over about a month on
  therapy and, after stopping, fades only as fast as the skeletal store (half-life from drugs.yaml),
  because buried drug is released by later resorption.

Known limits, stated on screen: the bone-mass equation counts only cells above steady state, so lowering
turnover neither builds nor loses bone here (the bone-density gain on antiresorptives is not modelled);
one bone site, no calcium, PTH or mechanical loading. A teaching model, not a clinical predictor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .parameters import ModelInputError, param, value
from .pharmacokinetics import DAYS_PER_MONTH, half_life, regimen

Drug = Literal["none", "bisphosphonate", "denosumab"]
DRUGS: tuple[str, ...] = ("none", "bisphosphonate", "denosumab")
BP_ONSET_DAYS = 30.0  # build-up time of the bisphosphonate effect on therapy (stated in the docstring)
PERTURBATION_CELLS = 10.0  # Komarova's figure-2 perturbation: 10 extra osteoclasts
MAX_STEP_DAYS = 2.0  # longest integration step (RK4 stays stable and within 0.1% of 1-day steps)


@dataclass(frozen=True)
class KomarovaParameters:
    a1: float
    a2: float
    b1: float
    b2: float
    g11: float
    g21: float
    g12: float
    g22: float
    k1: float
    k2: float

    @classmethod
    def from_knowledge(cls) -> KomarovaParameters:
        return cls(*(value(f"rm-{name}") for name in
                     ("alpha1", "alpha2", "beta1", "beta2", "g11", "g21", "g12", "g22", "k1", "k2")))

    def steady_state(self, a1_scale: float = 1.0, b1_scale: float = 1.0) -> tuple[float, float]:
        """Non-trivial steady state (x1, x2) of the published model (optionally with scaled a1, b1)."""
        a1, b1 = self.a1 * a1_scale, self.b1 * b1_scale
        gamma = self.g12 * self.g21 - (1 - self.g11) * (1 - self.g22)
        x1 = (b1 / a1) ** ((1 - self.g22) / gamma) * (self.b2 / self.a2) ** (self.g21 / gamma)
        x2 = (b1 / a1) ** (self.g12 / gamma) * (self.b2 / self.a2) ** ((1 - self.g11) / gamma)
        return x1, x2


@dataclass(frozen=True)
class RemodellingResult:
    t_days: np.ndarray
    osteoclasts: np.ndarray
    osteoblasts: np.ndarray
    bone_mass: np.ndarray          # % of the starting bone mass
    drug_effect: np.ndarray        # 0..1, fraction of the maximal drug effect
    precursors: np.ndarray         # precursor pool, 1 = baseline
    steady_state: tuple[float, float]
    drug: str
    start_day: float
    stop_day: float | None

    @property
    def resorption_percent(self) -> np.ndarray:
        """Osteoclast activity as % of the drug-free steady state."""
        return 100.0 * self.osteoclasts / self.steady_state[0]

    @property
    def formation_percent(self) -> np.ndarray:
        """Osteoblast activity as % of the drug-free steady state."""
        return 100.0 * self.osteoblasts / self.steady_state[1]

    def peak_resorption_after_stop(self) -> float:
        """Highest resorption (% of baseline) after the drug is stopped (NaN if never stopped)."""
        if self.stop_day is None:
            return float("nan")
        after = self.t_days >= self.stop_day
        return float(self.resorption_percent[after].max())


def _denosumab_inhibition_scale(max_suppression: float, pool_ratio: float) -> float:
    """Inhibition of maturation that gives the cited steady-state suppression once the pool has filled.

    Pool at steady state under inhibition i: P = (1 + r) / ((1 - i) + r), with r the rate at which
    precursors are lost relative to the rate at which they mature. Net formation (1 - i) P must equal 1 - s.
    """
    target = 1.0 - max_suppression
    return 1.0 - target * pool_ratio / (1.0 + pool_ratio - target)


def simulate(drug: str = "none", treatment_months: float = 24.0, follow_up_months: float = 18.0,
             start_day: float = 60.0, perturb_day: float | None = None,
             dmab_regimen: str = "denosumab-op", bp_regimen: str = "alendronate-op-weekly",
             params: KomarovaParameters | None = None) -> RemodellingResult:
    """Simulate bone remodelling with an optional drug course, then its withdrawal.

    ``drug`` is 'none', 'bisphosphonate' or 'denosumab'; the drug starts at ``start_day`` for
    ``treatment_months`` and the run continues ``follow_up_months`` after stopping. ``perturb_day``
    adds Komarova's remodelling trigger (10 extra osteoclasts, as after a local injury such as a socket).
    """
    if drug not in DRUGS:
        raise ModelInputError(f"drug: unknown {drug!r} (choose one of: {', '.join(DRUGS)})")
    if treatment_months < 0:
        raise ModelInputError(f"treatment: must not be negative, got {treatment_months!r} months")
    if follow_up_months < 0:
        raise ModelInputError(f"follow-up: must not be negative, got {follow_up_months!r} months")
    if start_day < 0:
        raise ModelInputError(f"start day: must not be negative, got {start_day!r}")
    if drug != "none" and treatment_months == 0:
        raise ModelInputError("treatment: a drug course needs more than 0 months")
    p = params or KomarovaParameters.from_knowledge()
    x1s, x2s = p.steady_state()
    treat_days = treatment_months * DAYS_PER_MONTH
    stop_day = start_day + treat_days if drug != "none" else None
    end = start_day + treat_days + follow_up_months * DAYS_PER_MONTH
    end = max(end, start_day + 1.0, (perturb_day or 0.0) + 1.0)
    # About 600 steps, but never longer than MAX_STEP_DAYS: the osteoclast dynamics are fast (lifetime ~5 days)
    # and longer RK4 steps blow up on long courses (a 10-year denosumab course gave NaN at 7-day steps).
    dt = min(max(1.0, end / 600.0), MAX_STEP_DAYS)
    n = int(math.ceil(end / dt)) + 1
    t = np.linspace(0.0, end, n)
    dt = float(t[1] - t[0])

    # Drug effect schedule on the grid (0..1 of maximal effect), computed before integrating.
    effect = np.zeros(n)
    if drug == "denosumab":
        reg = regimen(dmab_regimen)
        k = math.log(2) / half_life("denosumab").days
        doses = start_day + np.arange(0.0, treat_days, reg.every_days)
        since = t[:, None] - doses[None, :]
        serum = np.where(since >= 0, np.exp(-k * np.clip(since, 0, None)), 0.0).sum(axis=1)
        ec50 = value("rm-denosumab-ec50")
        effect = serum / (serum + ec50)
    elif drug == "bisphosphonate":
        k_off = math.log(2) / half_life(regimen(bp_regimen).drug).days
        on = (t >= start_day) & (t < start_day + treat_days)
        e = 0.0
        for i in range(1, n):
            e = e + (1.0 - e) * (1.0 - math.exp(-dt / BP_ONSET_DAYS)) if on[i] else e * math.exp(-k_off * dt)
            effect[i] = e

    s_dmab = value("rm-denosumab-max-suppression")
    s_bp = value("rm-bp-max-suppression")
    tau = value("rm-precursor-pool")
    loss = float(param("rm-precursor-pool").raw["loss_ratio"])
    inhibit_max = _denosumab_inhibition_scale(s_dmab, loss)
    a1, a2, b1, b2 = p.a1, p.a2, p.b1, p.b2
    g11, g21, g12, g22, k1, k2 = p.g11, p.g21, p.g12, p.g22, p.k1, p.k2

    # The drug acts through two per-step factors, precomputed for the RK4 stages (start, middle, end):
    # denosumab inhibits precursor maturation; a bisphosphonate raises osteoclast removal.
    e_mid = np.empty(n)
    e_mid[:-1] = 0.5 * (effect[:-1] + effect[1:])
    e_mid[-1] = effect[-1]
    if drug == "denosumab":
        inhibit, inhibit_mid = (inhibit_max * effect).tolist(), (inhibit_max * e_mid).tolist()
    else:
        inhibit = inhibit_mid = [0.0] * n
    if drug == "bisphosphonate":
        removal, removal_mid = (b1 / (1.0 - s_bp * effect)).tolist(), (b1 / (1.0 - s_bp * e_mid)).tolist()
    else:
        removal = removal_mid = [b1] * n
    ratio = 1.0 + loss

    def rates(x1: float, x2: float, pool: float, inh: float, rem: float) -> tuple[float, float, float, float]:
        dx1 = a1 * (1.0 - inh) * pool * x1 ** g11 * x2 ** g21 - rem * x1
        dx2 = a2 * x1 ** g12 * x2 ** g22 - b2 * x2
        dz = -k1 * (x1 - x1s if x1 > x1s else 0.0) + k2 * (x2 - x2s if x2 > x2s else 0.0)
        dpool = (ratio - (1.0 - inh + loss) * pool) / tau  # supply; maturation; loss
        return dx1, dx2, dz, dpool

    x1l = [0.0] * n
    x2l = [0.0] * n
    zl = [0.0] * n
    pl = [0.0] * n
    x1, x2, z, pool = x1s, x2s, 100.0, 1.0
    perturb_i = None if perturb_day is None else int(round(perturb_day / dt))
    half, sixth = 0.5 * dt, dt / 6.0
    for i in range(n):
        if i == perturb_i:
            x1 += PERTURBATION_CELLS
        x1l[i], x2l[i], zl[i], pl[i] = x1, x2, z, pool
        if i == n - 1:
            break
        inh_m, rem_m = inhibit_mid[i], removal_mid[i]
        a, b, c, d = rates(x1, x2, pool, inhibit[i], removal[i])
        a2_, b2_, c2_, d2_ = rates(x1 + half * a, x2 + half * b, pool + half * d, inh_m, rem_m)
        a3, b3, c3, d3 = rates(x1 + half * a2_, x2 + half * b2_, pool + half * d2_, inh_m, rem_m)
        a4, b4, c4, d4 = rates(x1 + dt * a3, x2 + dt * b3, pool + dt * d3, inhibit[i + 1], removal[i + 1])
        x1 = max(x1 + sixth * (a + 2 * a2_ + 2 * a3 + a4), 1e-9)
        x2 = max(x2 + sixth * (b + 2 * b2_ + 2 * b3 + b4), 1e-9)
        z = z + sixth * (c + 2 * c2_ + 2 * c3 + c4)
        pool = pool + sixth * (d + 2 * d2_ + 2 * d3 + d4)
    x1a, x2a, za, pa = np.array(x1l), np.array(x2l), np.array(zl), np.array(pl)
    return RemodellingResult(t, x1a, x2a, za, effect, pa, (x1s, x2s), drug, start_day, stop_day)
