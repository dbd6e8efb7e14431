"""Remodelling lab: osteoclasts, osteoblasts and bone mass under a bisphosphonate or denosumab, and after
stopping. A thin view over :mod:`osteonecrosis.models.remodelling`."""

from __future__ import annotations

import math

import ipywidgets as widgets

from ..models import remodelling as rm
from ..models.parameters import all_parameters
from ..models.pharmacokinetics import DAYS_PER_MONTH
from ._base import COLOURS, FigureView, TeachingWidget, fit_width, provenance_html


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
        trigger = "Trigger a remodelling cycle (for example a socket)"
        self.trigger = widgets.Checkbox(value=False, description=trigger, style=style,
                                        layout=widgets.Layout(width=fit_width([trigger])))
        self.view = FigureView(7.5, 4.2, nrows=2, sharex=True)
        top, bottom = self.view.axes
        (self.resorption,) = top.plot([], [], color=COLOURS["vermillion"], lw=2, label="resorption (osteoclasts)")
        (self.formation,) = top.plot([], [], color=COLOURS["blue"], lw=1.5, ls="--", label="formation (osteoblasts)")
        (self.mass,) = bottom.plot([], [], color=COLOURS["bluish_green"], lw=2)
        self.spans = [ax.axvspan(0, 1, color=COLOURS["sky_blue"], alpha=0.2, lw=0) for ax in (top, bottom)]
        self.view.dynamic(*self.spans, self.formation, self.resorption, self.mass)
        top.axhline(100, color=COLOURS["black"], lw=0.8, ls=":")
        top.set_ylabel("activity (% of baseline)")
        # Above the plot, where no line can cross it (the lines are drawn over the cached background).
        top.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=9, frameon=False, ncols=2,
                   borderaxespad=0.2)
        bottom.set_ylabel("bone mass (% of start)")
        bottom.set_xlabel("time (months)")
        self._static_key: tuple | None = None
        super().__init__([self.drug, self.treatment, self.follow_up, self.trigger], [self.view.image])
        self.details.value = provenance_html([p for p in all_parameters() if p.id.startswith("rm-")])
        self.watch(self.drug, self.treatment, self.follow_up, self.trigger)
        self.refresh()

    def update(self) -> None:
        months = self.treatment.value if self.drug.value != "none" else 0
        perturb = 60.0 + months * DAYS_PER_MONTH / 2 if self.trigger.value else None
        r = rm.simulate(self.drug.value, months, self.follow_up.value, start_day=60.0, perturb_day=perturb)
        t = r.t_days / DAYS_PER_MONTH
        self.resorption.set_data(t, r.resorption_percent)
        self.formation.set_data(t, r.formation_percent)
        self.mass.set_data(t, r.bone_mass)
        for span in self.spans:
            span.set_visible(r.stop_day is not None)
            if r.stop_day is not None:
                span.set_x(r.start_day / DAYS_PER_MONTH)
                span.set_width((r.stop_day - r.start_day) / DAYS_PER_MONTH)
        # Axis limits in round steps (a year; 50% of activity; 2% of bone mass), so that nearby control
        # values share the axes, ticks and labels, drawn once and kept (only the curves are redrawn).
        x_max = 12.0 * math.ceil(float(t[-1]) / 12.0 - 1e-9)
        y_top = min(400.0, max(200.0, 50.0 * math.ceil(float(r.resorption_percent.max()) * 1.05 / 50.0)))
        mass_low = min(98.0, 2.0 * math.floor((float(r.bone_mass.min()) - 0.5) / 2.0))
        mass_high = max(101.0, 2.0 * math.ceil((float(r.bone_mass.max()) + 0.5) / 2.0))
        key = (x_max, y_top, mass_low, mass_high)
        if key != self._static_key:
            top, bottom = self.view.axes
            top.set_xlim(0.0, x_max)
            top.set_ylim(0.0, y_top)
            bottom.set_ylim(mass_low, mass_high)
            self._static_key = key
        self.view.render(key)
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
