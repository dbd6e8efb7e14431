"""Widget update times: for every simulation widget, the median and 95th percentile of one update (model plus
redraw to PNG) over 60 updates measured in-process, against the goal (median <= 50 ms, p95 <= 100 ms); and the
cohort model and figure for 100,000 patients. Prints only: timings are never asserted."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from osteonecrosis import widgets as W
from osteonecrosis.models import cohort

UPDATES = 60
GOAL_MEDIAN_MS, GOAL_P95_MS = 50.0, 100.0


def _time(update: Callable[[int], None], n: int = UPDATES) -> tuple[float, float]:
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        update(i)
        times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def _movers() -> dict[str, tuple[Callable[[int], None], object]]:
    dl = W.drug_levels()
    rl = W.remodelling_lab()
    cl = W.cohort_lab(n=10_000)
    se = W.staging_explorer()
    re_ = W.risk_explorer()
    vp = W.virtual_patient(case_id=None, seed=1)

    def vp_step(i: int) -> None:
        if not vp.state["actions"] or i % 20 == 0:
            vp.seed.value = vp.seed.value + 1       # a new patient (model + redraw)
        else:
            vp.action.value = "wait" if "wait" in vp.state["actions"] else vp.state["actions"][0]
            vp.go.click()                            # one decision (model + redraw)

    return {
        "drug_levels (holiday slider)": (lambda i: setattr(dl.holiday, "value", i % 25), dl),
        "remodelling_lab (months on drug)": (lambda i: setattr(rl.treatment, "value", 6 + i % 30), rl),
        "cohort_lab (screening slider, 10,000 patients)": (lambda i: setattr(cl.share_foreseen, "value",
                                                                              round((i % 20) / 20, 2)), cl),
        "staging_explorer (pain tick box)": (lambda i: setattr(se.findings["pain"], "value", bool(i % 2)), se),
        "risk_explorer (planned extraction)": (lambda i: setattr(re_.extraction, "value", bool(i % 2)), re_),
        "virtual_patient (decision)": (vp_step, vp),
    }


def run() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"one update = model + redraw + PNG, {UPDATES} updates each; goal median <= {GOAL_MEDIAN_MS:.0f} ms, "
          f"p95 <= {GOAL_P95_MS:.0f} ms (load average {load:.1f} on {os.cpu_count()} cores)")
    print("  ('full' = updates that redrew the axes, ticks and labels: a new axis range; the others blit the "
          "changing artists over a cached background)")
    for name, (move, widget) in _movers().items():
        view = getattr(widget, "view", None)
        before = view.full_draws if view is not None else 0
        med, p95 = _time(move)
        flag = "meets goal" if med <= GOAL_MEDIAN_MS and p95 <= GOAL_P95_MS else "ABOVE GOAL"
        full = f"full {view.full_draws - before:2d}/{UPDATES}" if view is not None else "no figure"
        print(f"  {name:50s} median {med:7.1f} ms   p95 {p95:7.1f} ms   {full}   {flag}")
    med, p95 = _time(lambda i: cohort.simulate("zoledronate", "bone_metastases", 100_000, seed=i), 20)
    print(f"  cohort model, 100,000 patients (one indication)       median {med:7.1f} ms   p95 {p95:7.1f} ms")
    cl = W.cohort_lab(n=100_000)
    med, p95 = _time(lambda i: setattr(cl.seed, "value", 1000 + i), 20)
    print(f"  cohort figure, 100,000 patients x 4 indications     median {med:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    run()
