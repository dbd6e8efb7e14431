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
from ._base import COLOURS, LABEL_SIZE, FigureView, TeachingWidget, fit_width, provenance_html

BUILD = "__build__"
VERDICT_COLOURS = {"in_line": COLOURS["bluish_green"], "not_advised": COLOURS["vermillion"],
                   "no_evidence": COLOURS["orange"], "guidelines_differ": COLOURS["reddish_purple"],
                   "seed_claim": COLOURS["vermillion"], "neutral": COLOURS["blue"]}
LEVEL_TICKS = sorted(set(vp.STAGE_LEVELS.values()))
# The debrief table: borders, padding and a line height a class can read on a projector.
TABLE_STYLE = "border-collapse:collapse;width:100%;max-width:1100px;font-size:14px;line-height:1.45"
CELL_STYLE = "border:1px solid #cccccc;padding:6px 8px;vertical-align:top"


def weeks_text(n: int) -> str:
    """'1 week', '3 weeks'."""
    return f"{n} week" if n == 1 else f"{n} weeks"


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
        # The case's title in plain words (the library id is for the code, not for the reader).
        options = [(str(c.extra.get("title") or cid), cid) for cid, c in cases.items()]
        options.append(("Build your own patient", BUILD))
        self.case = widgets.Dropdown(options=options, value=case_id if case_id in cases else BUILD,
                                     description="Case", style=style,
                                     layout=widgets.Layout(width=fit_width([n for n, _ in options], "Case")))
        drugs = [(v["name"], k) for k, v in drug_catalogue().items()]
        self.drug = widgets.Dropdown(options=drugs, value="zoledronate", description="Drug", style=style,
                                     layout=widgets.Layout(width=fit_width([n for n, _ in drugs], "Drug")))
        indications = [(i.replace("_", " "), i) for i in ("osteoporosis", "bone_metastases", "multiple_myeloma",
                                                           "paget")]
        self.indication = widgets.Dropdown(options=indications, value="bone_metastases", description="Indication",
                                           style=style, layout=widgets.Layout(
                                               width=fit_width([n for n, _ in indications], "Indication")))
        self.months = widgets.IntText(value=0, description="Months on the drug (0 = about to start)",
                                      style=style, layout=widgets.Layout(width="330px"))
        self.planned = widgets.Checkbox(value=False, description="A tooth needs extracting", style=style,
                                        layout=widgets.Layout(width=fit_width(["A tooth needs extracting"])))
        self.seed = widgets.IntText(value=seed, description="Seed", style=style, layout=widgets.Layout(width="130px"))
        self.build_box = widgets.HBox([self.drug, self.indication, self.months, self.planned],
                                      layout=widgets.Layout(flex_flow="row wrap"))
        self.action = widgets.Dropdown(options=[], description="Decision", style=style, layout=widgets.Layout(
            width=fit_width([a.label for a in vp.ACTIONS.values()], "Decision")))
        self.go = widgets.Button(description="Decide", button_style="primary", icon="play")
        self.debrief_button = widgets.Button(description="Debrief", icon="list")
        self.restart = widgets.Button(description="New patient", icon="refresh")
        self.status = widgets.HTML("")
        self.advice = widgets.HTML("")
        self.debrief_html = widgets.HTML("")
        self.view = FigureView(8.5, 3.4)
        ax = self.view.ax
        (self.stage_line,) = ax.step([], [], where="post", color=COLOURS["blue"], lw=2)
        # 'Now': the patient's stage this week, drawn from week 0 (a step line of one point shows nothing).
        (self.now_marker,) = ax.plot([], [], linestyle="none", marker="o", markersize=9, color=COLOURS["blue"],
                                     markeredgecolor="white", clip_on=False)  # whole at week 0, on the axis
        self.now_text = ax.annotate("", (0, 0), xytext=(10, 0), textcoords="offset points", va="center",
                                    fontsize=LABEL_SIZE)
        self.decision_lines = LineCollection([], linewidths=1.0, linestyles=":")
        ax.add_collection(self.decision_lines, autolim=False)
        self.view.dynamic(self.decision_lines, self.stage_line, self.now_marker, self.now_text)
        names = {v: k for k, v in vp.STAGE_LEVELS.items()}
        ax.set_yticks(LEVEL_TICKS, [vp.STAGE_NAMES[names[v]] for v in LEVEL_TICKS])
        ax.grid(True, axis="y", alpha=0.25)
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
            f"<tr><td style='{CELL_STYLE}'>{r['week']}</td><td style='{CELL_STYLE}'>{html.escape(r['decision'])}</td>"
            f"<td style='{CELL_STYLE};color:{VERDICT_COLOURS[r['verdict']]};font-weight:600'>"
            f"{html.escape(r['verdict_text'])}</td>"
            f"<td style='{CELL_STYLE}'>{html.escape(r['guidelines'])}</td>"
            f"<td style='{CELL_STYLE};font-size:90%'>{html.escape(', '.join(r['sources']))}</td></tr>"
            for r in d["rows"])
        self.debrief_html.value = (
            f"<h4>Debrief after {weeks_text(d['weeks'])}</h4>"
            f"<p>Worst stage: {d['worst_stage']}; now: {d['final_stage']}; "
            f"healed episodes: {d['healed_episodes']}. {html.escape(d['note'])}</p>"
            f"<table class='osteo-debrief' style='{TABLE_STYLE}'><thead><tr>"
            + "".join(f"<th style='{CELL_STYLE};text-align:left;background:#f0f0f0'>{h}</th>" for h in (
                "Week", "Decision", "Against the guidelines", "What the guidelines say", "Sources"))
            + f"</tr></thead><tbody>{rows}</tbody></table>")
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
        stage = vp.STAGE_NAMES[p.stage_code()]
        now_level = float(levels[-1]) if len(levels) else float(vp.STAGE_LEVELS[p.stage_code()])
        self.now_marker.set_data([p.week], [now_level])
        self.now_text.xy = (p.week, now_level)
        self.now_text.set_text(f"week {p.week}: {stage}" + ("  (choose a decision, then press Decide)"
                                                            if not p.steps else ""))
        late = p.week > 0.6 * 26 * max(1, math.ceil((p.week + 2) / 26))  # label on the left near the end
        self.now_text.set_horizontalalignment("right" if late else "left")
        self.now_text.set_position((-10, 0) if late else (10, 0))
        self.decision_lines.set_segments([[(st.week, -1.4), (st.week, 4.4)] for st in p.steps])
        self.decision_lines.set_color([VERDICT_COLOURS[st.advice.verdict] for st in p.steps])
        # The time axis grows in half-year steps, so its ticks are drawn once per step, not per decision.
        x_max = 26 * max(1, math.ceil((p.week + 2) / 26))
        if self.view.ax.get_xlim() != (0, x_max):
            self.view.ax.set_xlim(0, x_max)
        self.view.render(x_max)
        drug = drug_catalogue()[p.drug]["name"]
        self.status.value = (f"<b>Week {p.week}</b> of {vp.HORIZON_WEEKS}. {html.escape(drug)} for "
                             f"{html.escape(p.indication.replace('_', ' '))}; now: <b>{html.escape(stage)}</b>."
                             + (" <b>The story has ended: press Debrief.</b>" if p.finished else ""))
        self.state = {**{k: v for k, v in self.state.items() if k in ("last_verdict", "debrief_rows")},
                      "week": p.week, "stage": p.stage_code(), "steps": len(p.steps), "actions": acts,
                      "drug": p.drug, "p_extraction": p.p_extraction, "image_bytes": len(self.view.image.value)}
        self.describe(f"Step chart of the AAOMS stage over {weeks_text(p.week)}, with a dot at this week's "
                      "stage; dotted lines mark decisions, "
                      f"coloured by how they compare with the guidelines. Now: {stage}.")
