"""Cohort lab: MRONJ incidence and stage mix over N virtual patients, with and without a prevention bundle,
by indication, with uncertainty bands from the cited ranges. A thin view over
:mod:`osteonecrosis.models.cohort`."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection

from ..cases import drug_catalogue
from ..models import cohort
from ..models.parameters import param
from ._base import COLOURS, FigureView, TeachingWidget, fit_width, nice_ceiling, provenance_html, slider_width

ARMS = (("without", COLOURS["vermillion"], "without bundle", None),
        ("bundle", COLOURS["blue"], "with prevention bundle", "//"))
STAGE_KEYS = ("resolved", "1", "2", "3")
STAGE_COLOURS = (COLOURS["bluish_green"], COLOURS["sky_blue"], COLOURS["orange"], COLOURS["reddish_purple"])
BAR_WIDTH = 0.38
LABELS = {"osteoporosis": "osteoporosis", "bone_metastases": "bone metastases",
          "multiple_myeloma": "myeloma", "paget": "Paget"}


def cohort_drugs() -> list[str]:
    """Drugs with a cited incidence range in at least one indication."""
    return [d for d in drug_catalogue() if cohort.indications_for(d)]


class CohortLab(TeachingWidget):
    title = "Cohort lab: a prevention bundle over N virtual patients"

    def __init__(self, drug: str = "zoledronate", indication: str = "bone_metastases", n: int = 10_000,
                 seed: int = 1) -> None:
        style = {"description_width": "initial"}
        drugs = [(drug_catalogue()[d]["name"], d) for d in cohort_drugs()]
        self.drug = widgets.Dropdown(options=drugs, value=drug, description="Drug", style=style,
                                     layout=widgets.Layout(width=fit_width([n for n, _ in drugs], "Drug")))
        self.indication = widgets.Dropdown(options=self._indication_options(drug), value=indication,
                                           description="Indication", style=style,
                                           layout=widgets.Layout(width=fit_width(list(LABELS.values()),
                                                                                 "Indication")))
        self.n = widgets.IntText(value=n, description="Patients", style=style, layout=widgets.Layout(width="180px"))
        need, foreseen = "Need an extraction on therapy (assumption)", "Foreseen by screening (assumption)"
        # Wide enough for the whole label, a track the mouse can drag and the readout (a long label in the
        # default 300 px left a 0 px track, and the readout ran into the next control).
        self.share_need = widgets.FloatSlider(value=param("cohort-share-needing-extraction").value, min=0, max=1,
                                              step=0.05, description=need, style=style, continuous_update=False,
                                              readout_format=".0%", layout=widgets.Layout(width=slider_width(need)))
        self.share_foreseen = widgets.FloatSlider(value=param("cohort-share-foreseeable").value, min=0, max=1,
                                                  step=0.05, description=foreseen, style=style,
                                                  continuous_update=False, readout_format=".0%",
                                                  layout=widgets.Layout(width=slider_width(foreseen)))
        self.seed = widgets.IntText(value=seed, description="Seed", style=style, layout=widgets.Layout(width="130px"))
        self.view = FigureView(9.0, 3.8, ncols=2, width_ratios=[1.6, 1])
        self._static_key: tuple | None = None
        super().__init__([self.drug, self.indication, self.n, self.share_need, self.share_foreseen, self.seed],
                         [self.view.image])
        self.details.value = provenance_html([param(i) for i in (
            "cohort-extraction-effect", "cohort-share-needing-extraction", "cohort-share-foreseeable",
            "cohort-bundle-derivation", "cohort-stage-at-diagnosis", "cohort-conservative-cure")])
        self.drug.observe(self._drug_changed, names="value")
        self.watch(self.indication, self.n, self.share_need, self.share_foreseen, self.seed)
        self.refresh()

    @staticmethod
    def _indication_options(drug: str) -> list[tuple[str, str]]:
        return [(LABELS.get(i, i), i) for i in cohort.indications_for(drug)]

    def _drug_changed(self, _change: object) -> None:
        options = self._indication_options(self.drug.value)
        current = self.indication.value
        with self.indication.hold_trait_notifications():
            self.indication.options = options
            values = [v for _, v in options]
            self.indication.value = current if current in values else values[0]
        self.refresh()

    def _build(self, results: list, chosen: object, key: tuple) -> None:
        """Axes, labels and the (empty) bars for this drug, indication and pair of axis limits."""
        left, right = self.view.axes
        left.clear()
        right.clear()
        self.view.forget_dynamic()
        x = np.arange(len(results))
        self._bars = []
        for (_arm, colour, label, hatch), off in zip(ARMS, (-BAR_WIDTH / 2, BAR_WIDTH / 2), strict=True):
            bars = left.bar(x + off, np.zeros(len(x)), BAR_WIDTH, color=colour, label=label, hatch=hatch,
                            edgecolor="white").patches
            errors = LineCollection([], colors=COLOURS["black"], linewidths=1)
            left.add_collection(errors, autolim=False)
            (caps,) = left.plot([], [], linestyle="none", marker="_", markersize=6, color=COLOURS["black"])
            self.view.dynamic(*bars, errors, caps)
            self._bars.append((bars, errors, caps))
        left.set_xticks(x, [LABELS.get(r.indication, r.indication).replace(" ", "\n")
                            + (" *" if r is chosen else "") for r in results], fontsize=9)
        left.set_xlim(-0.6, len(results) - 0.4)
        left.set_ylim(0, key[3])
        left.set_ylabel("MRONJ cases per 1000 patients")
        left.set_title(f"{drug_catalogue()[self.drug.value]['name']}: incidence (bars: 90% band)", fontsize=10)
        left.legend(fontsize=9, frameon=False, loc="upper left", ncols=2)
        self._stacks = []
        for i in range(2):
            stack = [right.bar(i, 0.0, 0.6, color=colour,
                               label=("healed" if k == "resolved" else f"stage {k}") if i == 0 else None)[0]
                     for k, colour in zip(STAGE_KEYS, STAGE_COLOURS, strict=True)]
            self.view.dynamic(*stack)
            self._stacks.append(stack)
        right.set_xticks([0, 1], ["without", "with bundle"], fontsize=9)
        right.set_xlim(-0.6, 1.6)
        right.set_ylim(0, key[4])
        right.set_ylabel("cases per 1000 at 3 years")
        right.set_title("Stage mix (* indication)", fontsize=10)
        right.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        self._static_key = key

    def update(self) -> None:
        kw = {"share_needing_extraction": self.share_need.value, "share_foreseeable": self.share_foreseen.value,
              "seed": self.seed.value}
        cohort.check_inputs(self.n.value, kw["share_needing_extraction"], kw["share_foreseeable"], 2)
        results = cohort.by_indication(self.drug.value, self.n.value, **kw)
        chosen = next(r for r in results if r.indication == self.indication.value)
        # Axis limits in round steps, so that the axes, ticks, titles and legends are drawn once and kept
        # while a slider moves; only the bars, error bars and stacks are redrawn.
        top_left = max(max(getattr(r, arm).band_per_1000[1], getattr(r, arm).simulated_per_1000)
                       for r in results for arm in ("without", "bundle"))
        top_right = max(1000.0 * sum(arm.stage_mix.values()) / chosen.n for arm in (chosen.without, chosen.bundle))
        key = (self.drug.value, chosen.indication, tuple(r.indication for r in results),
               nice_ceiling(1.3 * top_left), nice_ceiling(1.08 * top_right))  # room for the legend
        if key != self._static_key:
            self._build(results, chosen, key)
        x = np.arange(len(results))
        for (arm, *_), (bars, errors, caps), off in zip(ARMS, self._bars, (-BAR_WIDTH / 2, BAR_WIDTH / 2),
                                                       strict=True):
            vals = np.array([getattr(r, arm).simulated_per_1000 for r in results])
            lo = np.minimum(vals, [getattr(r, arm).band_per_1000[0] for r in results])
            hi = np.maximum(vals, [getattr(r, arm).band_per_1000[1] for r in results])
            for bar, v in zip(bars, vals, strict=True):
                bar.set_height(v)
            errors.set_segments([[(xi + off, a), (xi + off, b)] for xi, a, b in zip(x, lo, hi, strict=True)])
            caps.set_data(np.concatenate([x + off, x + off]), np.concatenate([lo, hi]))
        for stack, arm in zip(self._stacks, (chosen.without, chosen.bundle), strict=True):
            bottom = 0.0
            for bar, k in zip(stack, STAGE_KEYS, strict=True):
                v = 1000.0 * arm.stage_mix[k] / chosen.n
                bar.set_y(bottom)
                bar.set_height(v)
                bottom += v
        self.view.render(key)
        self.state = {
            "drug": self.drug.value, "indication": chosen.indication, "n": chosen.n,
            "without_per_1000": chosen.without.simulated_per_1000, "bundle_per_1000": chosen.bundle.simulated_per_1000,
            "without_band": chosen.without.band_per_1000, "bundle_band": chosen.bundle.band_per_1000,
            "expected_prevented_per_1000": chosen.prevented_per_1000, "stage_mix": chosen.without.stage_mix,
            "notes": chosen.notes, "image_bytes": len(self.view.image.value),
        }
        self.describe(
            f"Bar chart of MRONJ cases per 1000 by indication without and with the bundle, and stacked bars of the "
            f"stage mix for {LABELS.get(chosen.indication)}: {chosen.without.simulated_per_1000:.3g} vs "
            f"{chosen.bundle.simulated_per_1000:.3g} per 1000 in this run of {chosen.n:,} patients "
            f"(90% bands {chosen.without.band_per_1000[0]:.3g}-{chosen.without.band_per_1000[1]:.3g} and "
            f"{chosen.bundle.band_per_1000[0]:.3g}-{chosen.bundle.band_per_1000[1]:.3g}). " + " ".join(chosen.notes))
