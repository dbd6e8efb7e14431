"""Remodelling lab: osteoclasts, osteoblasts and bone mass under a bisphosphonate or denosumab, and after
stopping. A thin view over :mod:`osteonecrosis.models.remodelling`."""

from __future__ import annotations

import ipywidgets as widgets

from ..models import remodelling as rm
from ..models.parameters import all_parameters
from ..models.pharmacokinetics import DAYS_PER_MONTH
from ._base import COLOURS, FigureView, TeachingWidget, provenance_html


class RemodellingLab(TeachingWidget):
    title = "Remodelling lab (Komarova et al. 2003 model with drug effects)"

    def __init__(self, drug: str = "denosumab", treatment_months: int = 24, follow_up_months: int = 18) -> None:
        style = {"description_width": "initial"}
        self.drug = widgets.ToggleButtons(options=[("No drug", "none"), ("Bisphosphonate", "bisphosphonate"),
                                                   ("Denosumab", "denosumab")], value=drug, description="Drug")
        self.treatment = widgets.IntText(value=treatment_months, description="Months on the drug", style=style,
                                         layout=widgets.Layout(width="200px"))
        self.follow_up = widgets.IntText(value=follow_up_months, description="Months after stopping",
                                         style=style, layout=widgets.Layout(width="210px"))
        self.trigger = widgets.Checkbox(value=False, description="Trigger a remodelling cycle (for example a socket)",
                                        style=style)
        self.view = FigureView(7.5, 4.2, nrows=2, sharex=True)
        super().__init__([self.drug, self.treatment, self.follow_up, self.trigger], [self.view.image])
        self.details.value = provenance_html([p for p in all_parameters() if p.id.startswith("rm-")])
        self.watch(self.drug, self.treatment, self.follow_up, self.trigger)
        self.refresh()

    def update(self) -> None:
        months = self.treatment.value if self.drug.value != "none" else 0
        perturb = 60.0 + months * DAYS_PER_MONTH / 2 if self.trigger.value else None
        r = rm.simulate(self.drug.value, months, self.follow_up.value, start_day=60.0, perturb_day=perturb)
        t = r.t_days / DAYS_PER_MONTH
        top, bottom = self.view.axes
        top.clear()
        bottom.clear()
        top.plot(t, r.resorption_percent, color=COLOURS["vermillion"], lw=2, label="resorption (osteoclasts)")
        top.plot(t, r.formation_percent, color=COLOURS["blue"], lw=1.5, ls="--", label="formation (osteoblasts)")
        top.axhline(100, color=COLOURS["black"], lw=0.8, ls=":")
        top.set_ylabel("activity (% of baseline)")
        top.set_ylim(0, max(200.0, min(400.0, float(r.resorption_percent.max()) * 1.05)))
        top.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
        bottom.plot(t, r.bone_mass, color=COLOURS["bluish_green"], lw=2)
        bottom.set_ylabel("bone mass (% of start)")
        bottom.set_xlabel("time (months)")
        for ax in (top, bottom):
            if r.stop_day is not None:
                ax.axvspan(r.start_day / DAYS_PER_MONTH, r.stop_day / DAYS_PER_MONTH, color=COLOURS["sky_blue"],
                           alpha=0.2, lw=0)
        self.view.render()
        peak = r.peak_resorption_after_stop()
        on = (r.t_days > r.start_day + 90) & (r.t_days < (r.stop_day or 0))
        low = float(r.resorption_percent[on].mean()) if r.stop_day and on.any() else float(
            r.resorption_percent[r.t_days > r.start_day].min())
        self.state = {"drug": r.drug, "mean_resorption_on_drug_percent": low, "peak_after_stop_percent": peak,
                      "final_bone_mass_percent": float(r.bone_mass[-1]), "min_bone_mass_percent":
                      float(r.bone_mass.min()), "image_bytes": len(self.view.image.value)}
        if r.drug == "none":
            text = "Without a drug, the cells stay at their steady state" + (
                ", and a triggered cycle resorbs then refills bone and returns to it." if perturb else ".")
        else:
            text = (f"On {r.drug} resorption averages {low:.0f}% of baseline after the first 3 months "
                    "(shaded: treatment). After stopping "
                    f"it peaks at {peak:.0f}% of baseline; bone mass dips to {r.bone_mass.min():.1f}%.")
        self.describe("Two panels over months: cell activity as % of baseline (top) and bone mass (bottom). "
                      + text)
