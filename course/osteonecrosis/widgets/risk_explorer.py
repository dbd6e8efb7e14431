"""Risk explorer: drug, indication, time on the drug, risk factors and a planned extraction in; the absolute
risk range out, drawn as 1000 people a patient could understand, with sources. A thin view over
:func:`osteonecrosis.risk.assess`. Outside the declared scope (a patient under 18; see
docs/clinical_scope.md) it says so in one line and draws no figure."""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import risk, scope
from ..cases import RISK_FACTORS, case_from_dict, drug_catalogue
from ._base import COLOURS, FigureView, TeachingWidget, fit_width

INDICATIONS = ("osteoporosis", "bone_metastases", "multiple_myeloma", "paget")


def icon_counts(low_percent: float, high_percent: float, total: int = 1000) -> tuple[int, int]:
    """(people affected at the low estimate, extra people up to the high estimate) out of ``total``."""
    low = int(round(low_percent / 100 * total))
    high = int(round(high_percent / 100 * total))
    return low, max(0, high - low)


class RiskExplorer(TeachingWidget):
    title = "Risk explorer: out of 1000 people like this patient"

    def __init__(self, drug: str = "zoledronate", indication: str = "bone_metastases", months: int = 12,
                 age: int = 65) -> None:
        style = {"description_width": "initial"}
        drugs = [(v["name"], k) for k, v in drug_catalogue().items()]
        self.drug = widgets.Dropdown(options=drugs, value=drug, description="Drug", style=style,
                                     layout=widgets.Layout(width=fit_width([n for n, _ in drugs], "Drug")))
        indications = [(i.replace("_", " "), i) for i in INDICATIONS]
        self.indication = widgets.Dropdown(options=indications, value=indication, description="Indication",
                                           style=style, layout=widgets.Layout(
                                               width=fit_width([n for n, _ in indications], "Indication")))
        self.months = widgets.IntText(value=months, description="Months on the drug", style=style,
                                      layout=widgets.Layout(width="200px"))
        self.age = widgets.BoundedIntText(value=age, min=0, max=120, description="Age (years)", style=style,
                                          layout=widgets.Layout(width=fit_width(["120"], "Age (years)")))
        factors = [(f.replace("_", " "), f) for f in RISK_FACTORS]
        self.factors = widgets.SelectMultiple(options=factors, description="Risk factors", rows=5, style=style,
                                              layout=widgets.Layout(width=fit_width([n for n, _ in factors],
                                                                                    "Risk factors")))
        self.extraction = widgets.Checkbox(value=False, description="An extraction is planned", style=style,
                                           layout=widgets.Layout(width=fit_width(["An extraction is planned"])))
        self.view = FigureView(6.0, 3.3)
        self.text = widgets.HTML("")
        super().__init__([self.drug, self.indication, self.months, self.age, self.factors, self.extraction],
                         [self.view.image, self.text])
        x, y = np.meshgrid(np.arange(40), np.arange(25))
        ax = self.view.ax
        # The dots stay put; each update only recolours them over the cached axes and title.
        self.dots = ax.scatter(x.ravel(), y.ravel()[::-1], c=[COLOURS["sky_blue"]] * 1000, s=22, marker="o",
                               linewidths=0)
        self.view.dynamic(self.dots)
        ax.set_xlim(-1, 40)
        ax.set_ylim(-1, 25)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("1000 people (one dot each)")
        ax.set_title("dark: affected at the low estimate; amber: extra at the high estimate", fontsize=10)
        self.watch(self.drug, self.indication, self.months, self.age, self.factors, self.extraction)
        self.refresh()

    def update(self) -> None:
        if self.months.value < 0:
            raise ValueError(f"months on the drug: must be 0 or more, got {self.months.value}")
        case = case_from_dict({
            "indication": self.indication.value,
            "medications": [{"drug": self.drug.value, "months": self.months.value, "current": True}],
            "risk_factors": list(self.factors.value),
            "planned_procedure": "extraction" if self.extraction.value else None,
            "patient": {"age": self.age.value},
        })
        reason = scope.out_of_scope(case, "risk")
        if reason is not None:
            self.dots.set_facecolors([COLOURS["sky_blue"]] * 1000)
            self.view.render("icons")
            self.text.value = f'<p role="status"><b>{html.escape(reason)}</b></p>'
            self.state = {"out_of_scope": reason, "image_bytes": len(self.view.image.value)}
            self.describe("No figure: the patient is outside the course's scope, so all 1000 dots stay blank.")
            return
        result = risk.assess(case)
        overall = result.overall
        if not overall:
            raise risk.RiskError(result.overall_explanation or "no cited risk figure for this exposure")
        low_p, high_p = float(overall["low_percent"]), float(overall["high_percent"])
        after = None
        proc = result.planned_procedure or {}
        if proc.get("absolute_for_this_case"):
            after = proc["absolute_for_this_case"]
            low_p, high_p = float(after["low_percent"]), float(after["high_percent"])
        low, extra = icon_counts(low_p, high_p)
        colours = np.full(1000, COLOURS["sky_blue"], dtype=object)
        colours[:low] = COLOURS["vermillion"]
        colours[low:low + extra] = COLOURS["orange"]
        self.dots.set_facecolors(list(colours))
        self.view.render("icons")
        what = "after one extraction" if after else "over the treatment periods studied"
        sources = ", ".join((after or overall).get("source", []))
        sentence = result.patient_sentence
        factors = "".join(f"<li>{html.escape(f['text'])} <small>({html.escape(', '.join(f['source']))})</small></li>"
                          for f in result.risk_factors)
        self.text.value = (f"<p><b>{low_p:g}% to {high_p:g}%</b> {html.escape(what)} "
                           f"(<i>{html.escape(sources)}</i>). {html.escape(sentence)}</p>"
                           + (f"<p>Risk factors (they change the picture, but the sources give no size for most, "
                              f"so the dots do not move):</p><ul>{factors}</ul>" if factors else ""))
        self.state = {"low_percent": low_p, "high_percent": high_p, "icons_low": low, "icons_extra": extra,
                      "after_extraction": bool(after), "sources": sources,
                      "image_bytes": len(self.view.image.value)}
        self.describe(f"Icon array of 1000 dots: {low} dark (low estimate) and {extra} amber (up to the high "
                      f"estimate) of 1000 people {what}; the rest stay well.")
