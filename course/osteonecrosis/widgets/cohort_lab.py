"""Cohort lab: MRONJ incidence and stage mix over N virtual patients, with and without a prevention bundle,
by indication, with uncertainty bands from the cited ranges. A thin view over
:mod:`osteonecrosis.models.cohort`."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..cases import drug_catalogue
from ..models import cohort
from ..models.parameters import param
from ._base import COLOURS, FigureView, TeachingWidget, provenance_html

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
        self.drug = widgets.Dropdown(options=[(drug_catalogue()[d]["name"], d) for d in cohort_drugs()],
                                     value=drug, description="Drug", style=style)
        self.indication = widgets.Dropdown(options=self._indication_options(drug), value=indication,
                                           description="Indication", style=style)
        self.n = widgets.IntText(value=n, description="Patients", style=style, layout=widgets.Layout(width="180px"))
        self.share_need = widgets.FloatSlider(value=param("cohort-share-needing-extraction").value, min=0, max=1,
                                              step=0.05, description="Need an extraction on therapy (assumption)",
                                              style=style, continuous_update=False, readout_format=".0%")
        self.share_foreseen = widgets.FloatSlider(value=param("cohort-share-foreseeable").value, min=0, max=1,
                                                  step=0.05, description="Foreseen by screening (assumption)",
                                                  style=style, continuous_update=False, readout_format=".0%")
        self.seed = widgets.IntText(value=seed, description="Seed", style=style, layout=widgets.Layout(width="130px"))
        self.view = FigureView(8.0, 3.4, ncols=2, width_ratios=[1.6, 1])
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

    def update(self) -> None:
        kw = {"share_needing_extraction": self.share_need.value, "share_foreseeable": self.share_foreseen.value,
              "seed": self.seed.value}
        cohort.check_inputs(self.n.value, kw["share_needing_extraction"], kw["share_foreseeable"], 2)
        results = cohort.by_indication(self.drug.value, self.n.value, **kw)
        chosen = next(r for r in results if r.indication == self.indication.value)
        left, right = self.view.axes
        left.clear()
        right.clear()
        x = np.arange(len(results))
        w = 0.38
        for off, arm, colour, label in ((-w / 2, "without", COLOURS["vermillion"], "without bundle"),
                                        (w / 2, "bundle", COLOURS["blue"], "with prevention bundle")):
            vals = np.array([getattr(r, arm).simulated_per_1000 for r in results])
            lo = np.array([getattr(r, arm).band_per_1000[0] for r in results])
            hi = np.array([getattr(r, arm).band_per_1000[1] for r in results])
            left.bar(x + off, vals, w, color=colour, label=label,
                     hatch="//" if arm == "bundle" else None, edgecolor="white")
            left.errorbar(x + off, vals, yerr=[np.clip(vals - lo, 0, None), np.clip(hi - vals, 0, None)],
                          fmt="none", ecolor=COLOURS["black"], capsize=3, lw=1)
        left.set_xticks(x, [LABELS.get(r.indication, r.indication) + (" *" if r is chosen else "")
                            for r in results], fontsize=8)
        left.set_ylabel("MRONJ cases per 1000 patients")
        left.set_title(f"{drug_catalogue()[self.drug.value]['name']}: incidence (bars: 90% band)", fontsize=9)
        left.legend(fontsize=8, frameon=False)
        keys = ["resolved", "1", "2", "3"]
        colours = [COLOURS["bluish_green"], COLOURS["sky_blue"], COLOURS["orange"], COLOURS["reddish_purple"]]
        for i, arm in enumerate((chosen.without, chosen.bundle)):
            bottom = 0.0
            for k, colour in zip(keys, colours, strict=True):
                v = 1000.0 * arm.stage_mix[k] / chosen.n
                right.bar(i, v, 0.6, bottom=bottom, color=colour, label=("healed" if k == "resolved" else
                                                                           f"stage {k}") if i == 0 else None)
                bottom += v
        right.set_xticks([0, 1], ["without", "with bundle"], fontsize=8)
        right.set_ylabel("cases per 1000 at 3 years")
        right.set_title("Stage mix (* indication)", fontsize=9)
        right.legend(fontsize=7, frameon=False, loc="upper right")
        self.view.render()
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
