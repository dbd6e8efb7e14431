"""Staging explorer: tick findings, see the stage and the criteria that decided, AAOMS 2022 beside
SICMF-SIPMO. A thin view over :func:`osteonecrosis.staging.stage` and
:func:`osteonecrosis.other_staging.sicmf_stage_from_case`."""

from __future__ import annotations

import html

import ipywidgets as widgets

from .. import other_staging, staging
from ..cases import NONSPECIFIC_SIGNS, STAGE3_FINDINGS, case_from_dict
from ._base import TeachingWidget, fit_width

FINDING_LABELS = {
    "exposed_bone": "Exposed bone",
    "fistula_probes_to_bone": "Fistula that probes to bone",
    "pain": "Pain",
    "infection": "Infection (erythema, swelling, pus)",
    "beyond_alveolar_bone": "Necrosis beyond the alveolar bone",
    "pathologic_fracture": "Pathologic fracture",
    "extraoral_fistula": "Extraoral fistula",
    "oral_antral_or_nasal_communication": "Oral-antral or oral-nasal communication",
    "osteolysis_to_border": "Osteolysis to the inferior border or sinus floor",
}


# One name for each result in both panels (the SICMF-SIPMO mapping returns codes).
SICMF_LABELS = {"not_mronj": "Not MRONJ", "unconfirmed": "Not confirmed (no CT evidence yet)",
                "1A": "Stage 1A", "1B": "Stage 1B", "2A": "Stage 2A", "2B": "Stage 2B", "3": "Stage 3"}


def sicmf_label(code: str) -> str:
    """The display name of a SICMF-SIPMO result, in the words the AAOMS panel uses ('Not MRONJ', 'Stage 2')."""
    return SICMF_LABELS.get(code, f"Stage {code}")


def _result_html(title: str, stage: str, reasons: list[str], source: list[str], evidence: str,
                 assumptions: list[str] | None = None) -> str:
    items = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    extra = ""
    if assumptions:
        extra = ("<details><summary>Course assumptions for this mapping</summary><ul>"
                 + "".join(f"<li>{html.escape(a)}</li>" for a in assumptions) + "</ul></details>")
    return (f'<div class="osteo-stage" style="flex:1;min-width:260px"><h4>{html.escape(title)}: '
            f'<span class="osteo-stage-value">{html.escape(stage)}</span></h4><ul>{items}</ul>'
            f"<small>Sources: {html.escape(', '.join(source))} ({html.escape(evidence)})</small>{extra}</div>")


class StagingExplorer(TeachingWidget):
    title = "Staging explorer: AAOMS 2022 beside SICMF-SIPMO"

    def __init__(self) -> None:
        style = {"description_width": "initial"}
        def box(value: bool, text: str) -> widgets.Checkbox:
            # As wide as its label: the default 300 px cut the longer findings.
            return widgets.Checkbox(value=value, description=text, style=style,
                                    layout=widgets.Layout(width=fit_width([text])))

        self.exposed = box(True, "Drug exposure (antiresorptive or antiangiogenic)")
        self.radiotherapy = box(False, "Radiotherapy to the jaws")
        self.metastasis = box(False, "Metastasis to the jaws")
        self.weeks = widgets.IntText(value=10, description="Weeks the exposure has persisted", style=style,
                                     layout=widgets.Layout(width="270px"))
        self.findings = {k: box(k == "exposed_bone", v) for k, v in FINDING_LABELS.items()}
        signs = [(s.replace("_", " "), s) for s in NONSPECIFIC_SIGNS]
        self.nonspecific = widgets.SelectMultiple(options=signs, description="Nonspecific signs", style=style,
                                                  rows=4, layout=widgets.Layout(
                                                      width=fit_width([n for n, _ in signs], "Nonspecific signs")))
        self.output = widgets.HTML("")
        controls = [self.exposed, self.radiotherapy, self.metastasis, self.weeks, *self.findings.values(),
                    self.nonspecific]
        super().__init__(controls, [self.output])
        self.watch(*controls)
        self.refresh()

    def case_data(self) -> dict:
        meds = [{"drug": "zoledronate", "months": 12, "current": True}] if self.exposed.value else []
        findings = {k: c.value for k, c in self.findings.items()}
        findings["weeks_persisting"] = self.weeks.value
        findings["nonspecific"] = list(self.nonspecific.value)
        return {"indication": "bone_metastases", "medications": meds, "findings": findings,
                "jaw_radiotherapy": self.radiotherapy.value, "jaw_metastasis": self.metastasis.value}

    def update(self) -> None:
        case = case_from_dict(self.case_data())
        a = staging.stage(case)
        s = other_staging.sicmf_stage_from_case(case)
        stage3 = [FINDING_LABELS[k] for k in STAGE3_FINDINGS if self.findings[k].value]
        self.output.value = ('<div style="display:flex;gap:16px;flex-wrap:wrap">'
                             + _result_html("AAOMS 2022", a.label, a.reasons, a.source, a.evidence)
                             + _result_html("SICMF-SIPMO", sicmf_label(s.stage), s.reasons, s.source, s.evidence,
                                            s.assumptions)
                             + "</div>")
        self.state = {"aaoms": a.stage, "sicmf": s.stage, "aaoms_reasons": a.reasons, "sicmf_reasons": s.reasons,
                      "aaoms_label": a.label, "sicmf_label": sicmf_label(s.stage)}
        self.describe(f"Two panels side by side: AAOMS 2022 gives {a.label}, "
                      f"SICMF-SIPMO gives {sicmf_label(s.stage)}"
                      + (f"; stage-3 features ticked: {', '.join(stage3)}" if stage3 else "") + ".")
