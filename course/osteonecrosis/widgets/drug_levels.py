"""Drug-level lab: skeletal bisphosphonate retention against denosumab serum level, with a holiday marker.
A thin view over :mod:`osteonecrosis.models.pharmacokinetics`."""

from __future__ import annotations

import ipywidgets as widgets

from ..models import pharmacokinetics as pk
from ..models.parameters import param
from ._base import COLOURS, FigureView, TeachingWidget, provenance_html


class DrugLevelsLab(TeachingWidget):
    title = "Drug levels: why a holiday clears a bisphosphonate slowly and denosumab quickly"

    def __init__(self, bp_regimen: str = "alendronate-op-weekly", dmab_regimen: str = "denosumab-op",
                 therapy_months: int = 60, holiday_months: int = 6) -> None:
        bps = [(r.label(), r.id) for r in pk.regimens() if r.drug != "denosumab"]
        dms = [(r.label(), r.id) for r in pk.regimens("denosumab")]
        style = {"description_width": "initial"}
        self.bp = widgets.Dropdown(options=bps, value=bp_regimen, description="Bisphosphonate", style=style)
        self.dmab = widgets.Dropdown(options=dms, value=dmab_regimen, description="Denosumab", style=style)
        self.therapy = widgets.IntText(value=therapy_months, description="Months on the drug", style=style,
                                       layout=widgets.Layout(width="200px"))
        self.holiday = widgets.IntSlider(value=holiday_months, min=0, max=36, description="Holiday (months)",
                                         style=style, continuous_update=False)
        self.view = FigureView(7.5, 3.4)
        ax = self.view.ax
        (self.bp_line,) = ax.plot([], [], color=COLOURS["blue"], lw=2)
        (self.dm_line,) = ax.plot([], [], color=COLOURS["vermillion"], lw=1.5, ls="--")
        self.span = ax.axvspan(0, 1, color=COLOURS["sky_blue"], alpha=0.25, lw=0, label="drug holiday")
        self.stop_line = ax.axvline(0, color=COLOURS["black"], lw=1, ls=":")
        ax.set_xlabel("time since the first dose (months)")
        ax.set_ylabel("level (% of the peak on therapy)")
        ax.set_ylim(0, 105)
        self.legend = None
        self.view.layout_once()
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
        self.bp_line.set_label(f"{bp.regimen.drug}: skeletal store (half-life "
                               f"{bp.half_life.days / pk.DAYS_PER_YEAR:.0f} years)")
        self.dm_line.set_data(dm.t_days / pk.DAYS_PER_MONTH, dm.level_percent)
        self.dm_line.set_label(f"denosumab: serum level (half-life {dm.half_life.days:.0f} days)")
        start = bp.holiday_start_day / pk.DAYS_PER_MONTH
        end = max(bp.t_days[-1], dm.t_days[-1]) / pk.DAYS_PER_MONTH
        self.span.set_x(start)
        self.span.set_width(self.holiday.value)
        self.span.set_visible(self.holiday.value > 0)
        self.stop_line.set_xdata([start, start])
        ax.set_xlim(0, end)
        if self.legend is not None:
            self.legend.remove()
        self.legend = ax.legend(loc="lower left", fontsize=8, frameon=False)
        self.view.render()
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
