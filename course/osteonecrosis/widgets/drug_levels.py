"""Drug-level lab: skeletal bisphosphonate retention against denosumab serum level, with a holiday marker.
A thin view over :mod:`osteonecrosis.models.pharmacokinetics`."""

from __future__ import annotations

import ipywidgets as widgets

from ..models import pharmacokinetics as pk
from ..models.parameters import param
from ._base import COLOURS, FigureView, TeachingWidget, fit_width, provenance_html, slider_width


class DrugLevelsLab(TeachingWidget):
    title = "Drug levels: why a holiday clears a bisphosphonate slowly and denosumab quickly"

    def __init__(self, bp_regimen: str = "alendronate-op-weekly", dmab_regimen: str = "denosumab-op",
                 therapy_months: int = 60, holiday_months: int = 6) -> None:
        bps = [(r.label(), r.id) for r in pk.regimens() if r.drug != "denosumab"]
        dms = [(r.label(), r.id) for r in pk.regimens("denosumab")]
        style = {"description_width": "initial"}
        self.bp = widgets.Dropdown(options=bps, value=bp_regimen, description="Bisphosphonate", style=style,
                                   layout=widgets.Layout(width=fit_width([n for n, _ in bps], "Bisphosphonate")))
        self.dmab = widgets.Dropdown(options=dms, value=dmab_regimen, description="Denosumab", style=style,
                                     layout=widgets.Layout(width=fit_width([n for n, _ in dms], "Denosumab")))
        self.therapy = widgets.IntText(value=therapy_months, description="Months on the drug", style=style,
                                       layout=widgets.Layout(width="200px"))
        self.holiday = widgets.IntSlider(value=holiday_months, min=0, max=36, description="Holiday (months)",
                                         style=style, continuous_update=False,
                                         layout=widgets.Layout(width=slider_width("Holiday (months)")))
        self.view = FigureView(7.5, 3.4)
        ax = self.view.ax
        (self.bp_line,) = ax.plot([], [], color=COLOURS["blue"], lw=2)
        (self.dm_line,) = ax.plot([], [], color=COLOURS["vermillion"], lw=1.5, ls="--")
        self.span = ax.axvspan(0, 1, color=COLOURS["sky_blue"], alpha=0.25, lw=0, label="drug holiday")
        self.stop_line = ax.axvline(0, color=COLOURS["black"], lw=1, ls=":")
        self.view.dynamic(self.span, self.stop_line, self.bp_line, self.dm_line)
        ax.set_xlabel("time since the first dose (months)")
        ax.set_ylabel("level (% of the peak on therapy)")
        ax.set_ylim(0, 105)
        self.legend = None
        self._static_key: tuple | None = None
        super().__init__([self.bp, self.dmab, self.therapy, self.holiday], [self.view.image])
        self.details.value = provenance_html([param("pk-bp-skeletal-half-life"),
                                              param("pk-denosumab-serum-half-life"),
                                              param("pk-linear-superposition")])
        self.watch(self.bp, self.dmab, self.therapy, self.holiday)
        self.refresh()

    def update(self) -> None:
        r = pk.compare_holiday(self.bp.value, self.dmab.value, self.therapy.value, self.holiday.value)
        bp, dm = r["bisphosphonate"], r["denosumab"]
        ax = self.view.ax
        self.bp_line.set_data(bp.t_days / pk.DAYS_PER_MONTH, bp.level_percent)
        self.dm_line.set_data(dm.t_days / pk.DAYS_PER_MONTH, dm.level_percent)
        start = bp.holiday_start_day / pk.DAYS_PER_MONTH
        self.span.set_x(start)
        self.span.set_width(self.holiday.value)
        self.span.set_visible(self.holiday.value > 0)
        self.stop_line.set_xdata([start, start])
        # The time axis runs to the longest holiday the slider offers, so moving the holiday slider keeps the
        # same scale (easier to compare) and the axes, ticks and legend are drawn once, not on every update.
        stop = max(bp.holiday_start_day, dm.holiday_start_day) / pk.DAYS_PER_MONTH
        key = (self.bp.value, self.dmab.value, self.therapy.value, self.holiday.max)
        if key != self._static_key:
            self.bp_line.set_label(f"{bp.regimen.drug}: skeletal store (half-life "
                                   f"{bp.half_life.days / pk.DAYS_PER_YEAR:.0f} years)")
            self.dm_line.set_label(f"denosumab: serum level (half-life {dm.half_life.days:.0f} days)")
            ax.set_xlim(0, stop + max(self.holiday.max, 1))
            if self.legend is not None:
                self.legend.remove()
            # Above the plot, where no line can cross it (the lines are drawn over the cached background).
            self.legend = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, fontsize=9,
                                    frameon=False, borderaxespad=0.2)
            self._static_key = key
        self.view.render(key)
        h = self.holiday.value
        text = (f"After {h} months off the drug the bisphosphonate store is still {r['bp_left_percent']:.1f}% of "
                f"its peak, while denosumab in the serum is {r['dmab_left_percent']:.2g}% of its peak; the "
                f"store would take {r['bp_days_to_10_percent'] / pk.DAYS_PER_YEAR:.0f} years to fall to 10%, "
                f"denosumab {r['dmab_days_to_10_percent']:.0f} days.")
        self.state = {"bp_left_percent": r["bp_left_percent"], "dmab_left_percent": r["dmab_left_percent"],
                      "holiday_months": h, "bp_regimen": self.bp.value, "dmab_regimen": self.dmab.value,
                      "image_bytes": len(self.view.image.value)}
        self.describe("Line chart of relative drug level against months: the bisphosphonate line rises and stays "
                      "near its peak through the holiday; the dashed denosumab line falls to near zero within "
                      "months of each injection. " + text)
