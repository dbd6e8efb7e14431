"""Virtual patient: play a case forward week by week, decide, read what the guidelines advise after each
decision, watch the stage over time, and end with a debrief. A thin view over
:mod:`osteonecrosis.models.virtual_patient`."""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
from matplotlib.collections import LineCollection

from ..cases import drug_catalogue
from ..models import virtual_patient as vp
from ..models.parameters import assumptions
from ._base import COLOURS, FigureView, TeachingWidget, provenance_html

BUILD = "__build__"
VERDICT_COLOURS = {"in_line": COLOURS["bluish_green"], "not_advised": COLOURS["vermillion"],
                   "no_evidence": COLOURS["orange"], "guidelines_differ": COLOURS["reddish_purple"],
                   "seed_claim": COLOURS["vermillion"], "neutral": COLOURS["blue"]}
LEVEL_TICKS = sorted(set(vp.STAGE_LEVELS.values()))


def _advice_html(step: vp.Step) -> str:
    colour = VERDICT_COLOURS[step.advice.verdict]
    says = "".join(f"<li>{html.escape(s)}</li>" for s in step.advice.says)
    return (f'<div class="osteo-advice" role="status" aria-live="polite"><p><b>Week {step.week}: '
            f"{html.escape(step.label)}.</b> {html.escape(step.outcome)}</p>"
            f'<p style="color:{colour}"><b>{html.escape(vp.VERDICTS[step.advice.verdict])}.</b></p>'
            f"<ul>{says}</ul><small>Sources: {html.escape(', '.join(step.advice.sources))}</small></div>")


class VirtualPatientWidget(TeachingWidget):
    title = "Virtual patient: decide, advance time, compare with the guidelines"

    def __init__(self, case_id: str | None = "onc-zoledronate-before-therapy", seed: int = 1) -> None:
        style = {"description_width": "initial"}
        cases = vp.playable_cases()
        options = [(f"{cid}: {c.extra.get('title', '')}"[:90], cid) for cid, c in cases.items()]
        options.append(("Build your own patient", BUILD))
        self.case = widgets.Dropdown(options=options, value=case_id if case_id in cases else BUILD,
                                     description="Case", style=style, layout=widgets.Layout(width="460px"))
        self.drug = widgets.Dropdown(options=[(v["name"], k) for k, v in drug_catalogue().items()],
                                     value="zoledronate", description="Drug", style=style)
        self.indication = widgets.Dropdown(options=["osteoporosis", "bone_metastases", "multiple_myeloma", "paget"],
                                           value="bone_metastases", description="Indication", style=style)
        self.months = widgets.IntText(value=0, description="Months on the drug (0 = about to start)",
                                      style=style, layout=widgets.Layout(width="300px"))
        self.planned = widgets.Checkbox(value=False, description="A tooth needs extracting", style=style)
        self.seed = widgets.IntText(value=seed, description="Seed", style=style, layout=widgets.Layout(width="130px"))
        self.build_box = widgets.HBox([self.drug, self.indication, self.months, self.planned])
        self.action = widgets.Dropdown(options=[], description="Decision", style=style,
                                       layout=widgets.Layout(width="520px"))
        self.go = widgets.Button(description="Decide", button_style="primary", icon="play")
        self.debrief_button = widgets.Button(description="Debrief", icon="list")
        self.restart = widgets.Button(description="New patient", icon="refresh")
        self.status = widgets.HTML("")
        self.advice = widgets.HTML("")
        self.debrief_html = widgets.HTML("")
        self.view = FigureView(7.5, 2.8)
        ax = self.view.ax
        (self.stage_line,) = ax.step([], [], where="post", color=COLOURS["blue"], lw=2)
        self.decision_lines = LineCollection([], linewidths=0.8, linestyles=":")
        ax.add_collection(self.decision_lines, autolim=False)
        self.view.dynamic(self.decision_lines, self.stage_line)
        names = {v: k for k, v in vp.STAGE_LEVELS.items()}
        ax.set_yticks(LEVEL_TICKS, [vp.STAGE_NAMES[names[v]] for v in LEVEL_TICKS], fontsize=7)
        ax.set_ylim(-1.4, 4.4)
        ax.set_xlabel("time (weeks)")
        ax.set_ylabel("stage (AAOMS 2022)")
        decide_row = widgets.HBox([self.action, self.go, self.debrief_button, self.restart])
        super().__init__([self.case, self.seed, self.build_box],
                         [self.status, decide_row, self.advice, self.view.image, self.debrief_html])
        self.details.value = provenance_html([p for p in assumptions() if p.id.startswith("vp-")])
        self.patient: vp.VirtualPatient | None = None
        self.watch(self.case, self.seed, self.drug, self.indication, self.months, self.planned, handler=self.new)
        self.go.on_click(lambda _b: self.refresh(self.step))
        self.debrief_button.on_click(lambda _b: self.refresh(self.show_debrief))
        self.restart.on_click(lambda _b: self.refresh(self.new))
        self.refresh(self.new)

    # ---------------------------------------------------------------- actions
    def new(self) -> None:
        self.patient = None
        self.build_box.layout.display = "flex" if self.case.value == BUILD else "none"
        if self.case.value == BUILD:
            self.patient = vp.new_patient(self.drug.value, self.indication.value, self.months.value,
                                          seed=self.seed.value, planned_extraction=self.planned.value)
        else:
            self.patient = vp.from_case(vp.playable_cases()[self.case.value], seed=self.seed.value)
        self.advice.value = ""
        self.debrief_html.value = ""
        self.redraw()

    def step(self) -> None:
        if self.patient is None:
            raise ValueError("no patient: fix the controls above first")
        if not self.action.value:
            raise ValueError("decision: the story has ended; press Debrief, or New patient")
        s = self.patient.decide(self.action.value)
        self.advice.value = _advice_html(s)
        self.state["last_verdict"] = s.advice.verdict
        self.redraw()

    def show_debrief(self) -> None:
        if self.patient is None:
            raise ValueError("no patient: fix the controls above first")
        d = self.patient.debrief()
        rows = "".join(
            f"<tr><td>{r['week']}</td><td>{html.escape(r['decision'])}</td>"
            f'<td style="color:{VERDICT_COLOURS[r["verdict"]]}">{html.escape(r["verdict_text"])}</td>'
            f"<td>{html.escape(r['guidelines'])}</td><td>{html.escape(', '.join(r['sources']))}</td></tr>"
            for r in d["rows"])
        self.debrief_html.value = (
            f"<h4>Debrief after {d['weeks']} weeks</h4><p>Worst stage: {d['worst_stage']}; now: {d['final_stage']}; "
            f"healed episodes: {d['healed_episodes']}. {html.escape(d['note'])}</p>"
            "<table class='osteo-debrief'><tr><th>Week</th><th>Decision</th><th>Against the guidelines</th>"
            f"<th>What the guidelines say</th><th>Sources</th></tr>{rows}</table>")
        self.state["debrief_rows"] = len(d["rows"])

    # ---------------------------------------------------------------- view
    def redraw(self) -> None:
        p = self.patient
        assert p is not None
        acts = p.available_actions()
        self.action.options = [(vp.ACTIONS[a].label, a) for a in acts]
        self.action.value = acts[0] if acts else None
        self.go.disabled = not acts
        weeks, levels = p.timeline()
        self.stage_line.set_data(weeks, levels)
        self.decision_lines.set_segments([[(st.week, -1.4), (st.week, 4.4)] for st in p.steps])
        self.decision_lines.set_color([VERDICT_COLOURS[st.advice.verdict] for st in p.steps])
        # The time axis grows in half-year steps, so its ticks are drawn once per step, not per decision.
        x_max = 26 * max(1, math.ceil((p.week + 2) / 26))
        if self.view.ax.get_xlim() != (0, x_max):
            self.view.ax.set_xlim(0, x_max)
        self.view.render(x_max)
        stage = vp.STAGE_NAMES[p.stage_code()]
        drug = drug_catalogue()[p.drug]["name"]
        self.status.value = (f"<b>Week {p.week}</b> of {vp.HORIZON_WEEKS}. {html.escape(drug)} for "
                             f"{html.escape(p.indication.replace('_', ' '))}; now: <b>{html.escape(stage)}</b>."
                             + (" <b>The story has ended: press Debrief.</b>" if p.finished else ""))
        self.state = {**{k: v for k, v in self.state.items() if k in ("last_verdict", "debrief_rows")},
                      "week": p.week, "stage": p.stage_code(), "steps": len(p.steps), "actions": acts,
                      "drug": p.drug, "p_extraction": p.p_extraction, "image_bytes": len(self.view.image.value)}
        self.describe(f"Step chart of the AAOMS stage over {p.week} weeks; dotted lines mark decisions, "
                      f"coloured by how they compare with the guidelines. Now: {stage}.")
