"""The case-based management exercise of notebook 05: plan care for a library case, get feedback from the plan.

The student ticks what belongs in the plan for a staged case (rinse, antibiotics, pain control, surgery,
teriparatide, hyperbaric oxygen, the drug decision ...). :func:`grade_plan` compares the ticks with
:func:`osteonecrosis.plan.make_plan` for that case, the course's single source of management advice, and
sorts every option into one of four verdicts:

- ``expected``: the plan lists it for this case (missing it is a mistake);
- ``your_call``: the plan lists it as a choice made with the patient, or as an adjunct with weak evidence to
  *discuss* (surgery at stages 1-2, HBO, teriparatide when nothing argues against it); never graded;
- ``avoid``: the plan warns against it for this case (for example teriparatide with a contraindication), or it
  is never the dentist's step alone (stopping the antiresorptive);
- ``not_needed``: the plan does not list it for this stage.

The feedback is right when every ``expected`` option is ticked and no ``avoid`` or ``not_needed`` option is.
:func:`management_exercise` is a thin ipywidgets view over :func:`grade_plan`. A teaching aid, not a clinical
decision tool.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from . import knowledge
from .cases import Case, library, library_case
from .plan import Plan, make_plan
from .staging_quiz import vignette_html
from .tables import Table, markdown_table
from .teaching import CORRECT, TRY_AGAIN, Feedback

# Library cases of notebook 05: stages 1 to 3, osteoporosis and oncology, one stage-2 case where the question
# is whether to operate, and a Paget patient (teriparatide is contraindicated in Paget disease of bone).
MANAGEMENT_CASES: tuple[str, ...] = (
    "op-alendronate-stage1",
    "onc-denosumab-stage2",
    "op-stopped-bp-stage2",
    "onc-zoledronate-stage3-fracture",
    "paget-stopped-stage3",
)
OPERATE_OR_NOT_CASE = "op-stopped-bp-stage2"

OPTIONS: dict[str, str] = {
    "rinse": "Antibacterial mouth rinse",
    "antibiotics": "Systemic antibiotics",
    "pain_control": "Pain control",
    "follow_up": "Regular clinical follow-up",
    "surgery": "Surgery (debridement or resection)",
    "prescriber": "Talk to the prescriber about the drug",
    "stop_drug": "Stop the antiresorptive yourself, today",
    "teriparatide": "Teriparatide",
    "hbo": "Hyperbaric oxygen",
}
VERDICTS: tuple[str, ...] = ("expected", "your_call", "avoid", "not_needed")

# Which plan items stand for which option: patterns in the item's id or action (lower case). One nonoperative
# item may name several options ("rinse, antibiotics when infected, pain control and follow-up").
_PATTERNS: dict[str, str] = {
    "rinse": r"rinse",
    "antibiotics": r"antibiotic",
    "pain_control": r"pain control|pain medication|pain relief",
    "follow_up": r"follow-up|followup",
    "surgery": r"debridement|resection|sequestrectomy|(?<!non)operative care",
}
_WHEN_INFECTED = r"antibiotics? (?:only )?(?:when|if) infected"
_EITHER = r"either|equally acceptable|operative (?:and|or) nonoperative"
_ADJUNCTS = {"teriparatide": "adj-teriparatide", "hbo": "adj-hbo"}
_STAGE_KINDS = ("aaoms2022", "aaoms_table", "reported_update", "current")


@dataclass(frozen=True)
class OptionVerdict:
    """What the plan says about one option for one case, with the plan items it rests on."""

    option: str
    verdict: str
    why: str
    sources: tuple[str, ...]


def _text(item: dict[str, Any]) -> str:
    return f"{item.get('id', '')} {item.get('action') or item.get('text') or ''}".lower()


def _matches(option: str, item: dict[str, Any]) -> bool:
    return re.search(_PATTERNS[option], _text(item)) is not None


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _keys(items: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    keys: list[str] = []
    for item in items:
        for key in knowledge.source_keys(item):
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def _stage_items(plan: Plan) -> list[dict[str, Any]]:
    """The plan's stage actions (not the evidence items or the drug decision)."""
    return [i for i in plan.management if i.get("kind") in _STAGE_KINDS]


def _adjunct(plan: Plan, adjunct_id: str) -> dict[str, Any] | None:
    for item in plan.adjuncts_to_discuss:
        if item["id"] == adjunct_id:
            return item
    return None


def _action(item: dict[str, Any]) -> str:
    return _one_line(item.get("action") or item.get("text") or "")


def _surgery(plan: Plan) -> OptionVerdict:
    stage_words = plan.stage_label.lower()
    items = [i for i in _stage_items(plan) if _matches("surgery", i)]
    either = [i for i in items if re.search(_EITHER, _text(i))]
    if either:
        return OptionVerdict("surgery", "your_call",
                             "Operative and nonoperative care are both acceptable here, chosen with the patient "
                             "(weigh the evidence in section 3): " + _action(either[0]), _keys(either))
    if items:
        why = f"In the plan for {stage_words}: {_action(items[0])}"
        also = [i for i in _stage_items(plan) if i not in items and "nonoperative" in _text(i)]
        if also:
            why += f" (Also in the plan: {_action(also[0])})"
        return OptionVerdict("surgery", "expected", why, _keys(items))
    return OptionVerdict("surgery", "not_needed", f"The plan for {stage_words} lists no surgery.", ())


def _symptom_verdict(plan: Plan, case: Case, option: str) -> OptionVerdict:
    """Antibiotics and pain control: in the plan, for the patient's symptoms (infection, pain)."""
    stage_words = plan.stage_label.lower()
    found = [i for i in _stage_items(plan) if _matches(option, i)]
    if not found:
        return OptionVerdict(option, "not_needed", f"The plan for {stage_words} does not list it.", ())
    action = _action(found[0])
    if option == "antibiotics":
        if case.findings.infection:
            return OptionVerdict(option, "expected", f"There are signs of infection; the plan: {action}",
                                 _keys(found))
        if re.search(_WHEN_INFECTED, _text(found[0])):
            return OptionVerdict(option, "not_needed", f"No sign of infection now; the plan gives antibiotics "
                                 f"only when infected: {action}", _keys(found))
        return OptionVerdict(option, "expected", f"In the plan for {stage_words}: {action}", _keys(found))
    if case.findings.pain:
        return OptionVerdict(option, "expected", f"The patient has pain; the plan: {action}", _keys(found))
    return OptionVerdict(option, "your_call", f"No pain now; relieve it if it comes. The plan: {action}",
                         _keys(found))


def _adjunct_verdict(plan: Plan, option: str) -> OptionVerdict:
    item = _adjunct(plan, _ADJUNCTS[option])
    if item is None:
        return OptionVerdict(option, "not_needed", "The plan offers no adjuncts to discuss at this stage.", ())
    caution = item.get("case_caution")
    if caution:
        text = caution.get("text") if isinstance(caution, dict) else caution
        src = (caution,) if isinstance(caution, dict) else (item,)
        text = _one_line(text)
        if not text.lower().startswith("not for this patient"):
            text = "Not for this patient: " + text
        return OptionVerdict(option, "avoid", text, _keys(src))
    evidence = item.get("audit") or (item.get("protocol") or {}).get("text") or item.get("action") or ""
    return OptionVerdict(option, "your_call",
                         "An adjunct to discuss, not a standard step: " + _one_line(evidence), _keys([item]))


def option_verdicts(plan: Plan, case: Case) -> dict[str, OptionVerdict]:
    """Every option of :data:`OPTIONS` with its verdict for ``case`` and its plan from :func:`make_plan`."""
    stage_items = _stage_items(plan)
    stage_words = plan.stage_label.lower()
    out: dict[str, OptionVerdict] = {}
    for option in ("rinse", "follow_up"):
        found = [i for i in stage_items if _matches(option, i)]
        if found:
            out[option] = OptionVerdict(option, "expected", f"In the plan for {stage_words}: {_action(found[0])}",
                                        _keys(found))
        elif option == "follow_up":
            out[option] = OptionVerdict(option, "your_call", "Follow-up belongs to any treatment, though the plan "
                                        "does not name it at this stage.", ())
        else:
            out[option] = OptionVerdict(option, "not_needed", f"The plan for {stage_words} does not list it.", ())
    out["antibiotics"] = _symptom_verdict(plan, case, "antibiotics")
    out["pain_control"] = _symptom_verdict(plan, case, "pain_control")
    out["surgery"] = _surgery(plan)
    decision = [i for i in plan.management if i.get("kind") == "drug_decision"]
    if decision:
        out["prescriber"] = OptionVerdict("prescriber", "expected",
                                          "In the plan: " + _one_line(decision[0]["action"]), _keys(decision[:1]))
        out["stop_drug"] = OptionVerdict("stop_drug", "avoid",
                                         "Not the dentist's step alone: " + _one_line(decision[0]["action"]),
                                         _keys(decision[:1]))
    else:
        out["prescriber"] = OptionVerdict("prescriber", "not_needed", "The plan raises no drug decision here.", ())
        out["stop_drug"] = OptionVerdict("stop_drug", "avoid", "The plan gives no reason to stop the drug.", ())
    for option in _ADJUNCTS:
        out[option] = _adjunct_verdict(plan, option)
    return {option: out[option] for option in OPTIONS}


def grade_plan(case: Case, chosen: Iterable[str]) -> Feedback:
    """Feedback on the options a student ticked for a case, from :func:`osteonecrosis.plan.make_plan`.

    Right when every ``expected`` option is ticked and no ``avoid`` or ``not_needed`` one; ``your_call``
    options are never marked, and the feedback always says what the plan says about each of them.
    """
    picked = list(dict.fromkeys(chosen))
    unknown = [o for o in picked if o not in OPTIONS]
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r} (expected one of: {', '.join(OPTIONS)})")
    if not picked:
        return Feedback(False, "Tick what belongs in the plan first.")
    plan = make_plan(case)
    verdicts = option_verdicts(plan, case)
    missing = [o for o, v in verdicts.items() if v.verdict == "expected" and o not in picked]
    wrong = [o for o in picked if verdicts[o].verdict in ("avoid", "not_needed")]
    calls = [o for o, v in verdicts.items() if v.verdict == "your_call"]
    stage_words = plan.stage_label.lower()
    lines = []
    for o in wrong:
        lines.append(f"'{OPTIONS[o]}': {verdicts[o].why}")
    if missing:
        names = "; ".join(f"'{OPTIONS[o]}'" for o in missing)
        lines.append(f"Missing from your plan: {names}. The plan for {stage_words} lists each of them.")
    for o in calls:
        ticked = "you ticked it" if o in picked else "you left it out"
        lines.append(f"'{OPTIONS[o]}' ({ticked}; not marked): {verdicts[o].why}")
    if missing or wrong:
        head = f"{TRY_AGAIN} {len(missing) + len(wrong)} point(s) to reconsider."
    else:
        head = f"{CORRECT} Your plan matches the course plan for {stage_words}."
    return Feedback(not (missing or wrong), "\n".join([head, *lines]))


def feedback_html(fb: Feedback) -> str:
    """The feedback as HTML: the verdict line, then one bullet per point (escaped)."""
    head, *points = fb.message.split("\n")
    colour = "#1b7837" if fb.correct else "#b2182b"
    mark = "✔" if fb.correct else "✘"
    items = "".join(f"<li>{html_lib.escape(p)}</li>" for p in points)
    body = f"<ul style='margin:0.2em 0'>{items}</ul>" if items else ""
    return (f'<div role="status" aria-live="polite"><div style="color:{colour}">{mark} {html_lib.escape(head)}</div>'
            f"{body}</div>")


def plan_summary(case: Case) -> Table:
    """A short table: each option, the plan's verdict for this case, and the sources (for the reveal)."""
    verdicts = option_verdicts(make_plan(case), case)
    words = {"expected": "in the plan", "your_call": "not marked: weigh it with the patient", "avoid": "avoid",
             "not_needed": "not at this stage"}
    rows = []
    for option, v in verdicts.items():
        rows.append([OPTIONS[option], words[v.verdict], ", ".join(f"[{k}]" for k in v.sources)])
    return markdown_table(["Option", "The course plan says", "Sources"], rows,
                          caption=f"The course plan for: {case.extra.get('title', case.id)}")


# --- the widget ---------------------------------------------------------------------------------------------

def _card(number: int, case: Case, on_graded: Any) -> widgets.VBox:
    title = html_lib.escape(str(case.extra.get("title", "")))
    label = make_plan(case).stage_label
    boxes = {o: widgets.Checkbox(value=False, description=text, indent=False) for o, text in OPTIONS.items()}
    button = widgets.Button(description="Check my plan", button_style="info")
    out = widgets.HTML()

    def _check(_: object = None) -> None:
        fb = grade_plan(case, [o for o, box in boxes.items() if box.value])
        out.value = feedback_html(fb)
        on_graded(number, fb.correct)

    button.on_click(_check)
    head = widgets.HTML(f"<h4>Patient {number}: {title}</h4>{vignette_html(case)}"
                        f"<p><b>Stage (notebook 04's rules):</b> {html_lib.escape(label)}. "
                        "Tick everything that belongs in her or his plan now.</p>")
    grid = widgets.GridBox(list(boxes.values()), layout=widgets.Layout(grid_template_columns="repeat(3, 33%)"))
    return widgets.VBox([head, grid, button, out])


def management_exercise(case_ids: Sequence[str] = MANAGEMENT_CASES) -> widgets.VBox:
    """One card per library case: tick the plan, press the button, read the feedback; a running score."""
    lib = library()
    for cid in case_ids:
        if cid not in lib:
            library_case(cid)  # raises CaseError naming the id and the known ones
    cases = [lib[cid] for cid in case_ids]
    score = widgets.HTML(f"<b>Score:</b> 0 of {len(cases)} plans match the course plan.")
    right: dict[int, bool] = {}

    def _graded(number: int, correct: bool) -> None:
        right[number] = correct
        n = sum(right.values())
        score.value = f"<b>Score:</b> {n} of {len(cases)} plans match the course plan."

    cards = [_card(i, c, _graded) for i, c in enumerate(cases, start=1)]
    box = widgets.VBox([*cards, score])
    box.add_class("osteo-management-exercise")
    return box


# --- short, filterable views for notebook 05 (instead of long tables) -------------------------------------------

def _stage_label(code: str) -> str:
    from .staging import STAGE_LABELS

    return STAGE_LABELS[code]


def _items_text(items: Sequence[dict[str, Any]]) -> str:
    if not items:
        return "–"
    text = " ".join(_one_line(i.get("action") or i.get("text") or "") for i in items)
    return f"{text} " + ", ".join(f"[{k}]" for k in _keys(items))


def stage_comparison(stage_code: str) -> Table:
    """For one stage: AAOMS 2022, the AAOMS 2009 table kept in 2014 (history), and the seed's scheme."""
    from . import management

    code = management.stage_code(stage_code)
    seed = management.seed_scheme(code)
    n = seed["study"]["patients"]
    seed_text = (f"{_one_line(seed['action'])} [seed_es], [diaz_reverand2018]: one {n}-patient series, not a "
                 "guideline" if seed["action"] else "The seed's scheme does not cover this stage.")
    rows = [
        ["AAOMS 2022 (the course's reference)", _items_text(management.stage_actions(code))],
        ["AAOMS 2009 table, kept in 2014 (superseded: history)",
         _items_text(management.history_stage_actions(code))],
        ["Spanish seed", seed_text],
    ]
    return markdown_table(["Position", "What it advises"], rows, caption=f"{_stage_label(code)}: three positions")


def _dropdown_view(options: Sequence[tuple[str, str]], render: Any, description: str) -> widgets.VBox:
    """A dropdown over a pure function that returns something displayable; the view shows its result."""
    choice = widgets.Dropdown(options=list(options), value=options[0][1], description=description,
                              style={"description_width": "initial"}, layout=widgets.Layout(width="max-content"))
    out = widgets.Output()

    def _show(_: object = None) -> None:
        out.outputs = ()
        out.append_display_data(render(choice.value))

    choice.observe(_show, names="value")
    _show()
    return widgets.VBox([choice, out])


def stage_view() -> widgets.VBox:
    """Notebook 05's stage dropdown (stages 1-3, the stages treated) over :func:`stage_comparison`."""
    from .management import TREATED_STAGES

    options = [(_stage_label(code), code) for code in TREATED_STAGES]
    return _dropdown_view(options, stage_comparison, "Stage")


EVIDENCE_TOPICS: dict[str, str] = {
    "adj-hbo": "Hyperbaric oxygen",
    "adj-pento": "Pentoxifylline and tocopherol (PENTO, PENTOCLO)",
    "adj-teriparatide": "Teriparatide",
    "adj-lprf": "L-PRF",
    "adj-pbm": "Lasers and photobiomodulation",
    "adj-rinse": "Antibacterial mouth rinse",
    "adj-antibiotics": "Antibiotics",
    "adj-wonder-rinse": "The seed's 'Wonder' rinse",
}


def evidence_table(topic: str) -> Table:
    """One adjunct: what is given, then each study, audit or caution on its own row, with its sources."""
    from . import management
    from .tables import sources

    if topic not in EVIDENCE_TOPICS:
        raise ValueError(f"topic: unknown {topic!r} (expected one of: {', '.join(EVIDENCE_TOPICS)})")
    entry = management.adjunct(topic)
    rows = [["What is given", _one_line(entry.get("action", "")), sources(entry)]]
    for key in ("definition", "protocol", "pentoclo", "correction", "caution", "product", "regimen"):
        part = entry.get(key)
        if isinstance(part, dict) and part.get("text"):
            rows.append([key.capitalize(), _one_line(part["text"]), sources(part)])
    for study in entry.get("studies") or []:
        rows.append(["Study", _one_line(study.get("text", "")), sources(study)])
    if entry.get("audit"):
        rows.append(["The course's audit", _one_line(entry["audit"]), sources(entry)])
    return markdown_table(["", "What the sources say", "Sources"], rows, caption=EVIDENCE_TOPICS[topic])


def evidence_view() -> widgets.VBox:
    """Notebook 05's adjunct dropdown over :func:`evidence_table`."""
    options = [(label, key) for key, label in EVIDENCE_TOPICS.items()]
    return _dropdown_view(options, evidence_table, "Adjunct")


def operative_vs_nonoperative() -> Table:
    """Operative and nonoperative care side by side: who argues for each, and the verified figures."""
    from . import management

    ev = {e["id"]: e for e in management.surgery_evidence()}
    s2, pooled, cohort = ev["surgery-stage2-success"], ev["surgery-pooled-1137"], ev[
        "surgery-conservative-first-cohort"]
    src = ", ".join(f"[{k}]" for k in _keys([s2, pooled, cohort]))
    rows = [
        ["Who argues for it",
         "The AAOMS 2009 table (kept in 2014) and the French seed: rinse, antibiotics and pain control first, "
         "surgery for refractory or advanced disease.",
         "Surgical series; AAOMS 2022 accepts operative care at every stage, by shared decision [aaoms2022]."],
        ["Figures (each from its own study and outcome)",
         f"Stage 2, non-surgical care: success {s2['nonsurgical_success_percent']:g}%. Conservative-first "
         f"cohort ({cohort['patients']} patients): cured {cohort['cure_percent']:g}%, rising with time. {src}",
         f"Stage 2, surgery: success {s2['surgical_success_percent']:g}%. Pooled analysis "
         f"({pooled['patients']} patients): improved at 6 months {pooled['conservative_surgery_adjuvant_percent']:g}% "
         f"after conservative surgery with an adjuvant, {pooled['aggressive_surgery_only_percent']:g}% after "
         f"aggressive surgery alone. {src}"],
        ["What no study has done", "A randomised comparison of the two approaches.",
         "A randomised comparison of the two approaches."],
    ]
    return markdown_table(["", "Nonoperative first", "Operative"], rows,
                          caption="Operative and nonoperative care, side by side")


def find_item(items: Sequence[dict[str, Any]], item_id: str) -> dict[str, Any]:
    """The item with this id from a list of knowledge items; KeyError naming the id and the known ones."""
    for item in items:
        if item.get("id") == item_id:
            return item
    known = ", ".join(str(i.get("id")) for i in items)
    raise KeyError(f"no item {item_id!r} (known: {known})")


def teriparatide_cautions() -> Table:
    """Teriparatide's label contraindications and the guideline's rating of its evidence, each with its source."""
    from . import management
    from .tables import sources

    entry = management.adjunct("adj-teriparatide")
    rows = [[f"Not for: {c['label']}", _one_line(c["text"]), sources(c)] for c in entry.get("contraindications", [])]
    rating = entry.get("guideline_rating")
    if isinstance(rating, dict):
        rows.append(["The evidence", _one_line(rating["text"]), sources(rating)])
    return markdown_table(["", "Why", "Sources"], rows,
                          caption="Teriparatide: who must not receive it, and the evidence")
