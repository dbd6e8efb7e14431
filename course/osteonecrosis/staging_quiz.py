"""The no-code staging exercise of notebook 04: read a case in words, pick a stage, get instant feedback.

The grading is a pure function (:func:`grade_stage`) that compares the student's choice with
:func:`osteonecrosis.staging.stage` and, when the choice is wrong, gives a hint that points at the
criterion the student overlooked (without naming the stage). :func:`staging_exercise` is a thin
ipywidgets view over it.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence

import ipywidgets as widgets

from . import knowledge
from .cases import Case, library, library_case
from .rules import has_lesion, persisting_weeks_threshold
from .staging import STAGE_LABELS, STAGES, stage, stage_order
from .teaching import CORRECT, TRY_AGAIN, Feedback, _feedback_html

# The five library cases notebook 04 asks the student to stage (chosen to cover five different stages).
EXERCISE_CASES: tuple[str, ...] = (
    "onc-denosumab-stage0",
    "op-alendronate-stage1",
    "op-stopped-bp-stage2",
    "paget-stopped-stage3",
    "op-short-exposure",
)

CHOICE_LABELS: dict[str, str] = {
    "not_mronj": "Not MRONJ (or not yet)",
    "at_risk": "At risk",
    "0": "Stage 0",
    "1": "Stage 1",
    "2": "Stage 2",
    "3": "Stage 3",
}

ROUTE_WORDS = {"oral": "by mouth", "iv": "intravenously", "sc": "by injection under the skin"}
NO_STAGE3 = "None of the stage-3 features (extent or complication) is present. What do the symptoms say?"

INDICATION_WORDS = {
    "osteoporosis": "osteoporosis",
    "bone_metastases": "bone metastases",
    "multiple_myeloma": "multiple myeloma",
    "paget": "Paget disease of bone",
    "other": "another condition",
}


def _labels() -> tuple[dict[str, str], dict[str, str]]:
    data = knowledge.load("staging")["aaoms2022"]
    stage3 = {f["finding"]: f["label"] for f in data["stage3_features"]}
    signs = {s["sign"]: s["label"] for s in data["nonspecific_signs"]}
    return stage3, signs


def _drug_phrase(case: Case) -> str:
    catalogue = knowledge.load("drugs")["drugs"]
    names = {d["id"]: d["name"] for d in catalogue}
    parts = []
    for m in case.medications:
        if m.months <= 0 and not m.current:
            continue
        route = ROUTE_WORDS.get(m.route or "", "")
        dose = f" {m.dose_mg:g} mg" if m.dose_mg else ""
        every = f" every {m.every_days:g} days" if m.every_days else ""
        status = "still taking it" if m.current else "stopped"
        how = " ".join(p for p in (dose.strip(), route, every.strip()) if p)
        how = f" ({how})" if how else ""
        unit = "month" if m.months == 1 else "months"
        parts.append(f"{names.get(m.drug, m.drug)}{how} for {m.months:g} {unit}, {status}")
    return "; ".join(parts) if parts else "no antiresorptive or antiangiogenic medicine"


def case_vignette(case: Case) -> str:
    """A short clinical picture of the case in words (HTML-safe Markdown), without giving the stage away."""
    stage3, signs = _labels()
    f = case.findings
    who = []
    if case.patient.get("age") is not None:
        who.append(f"{case.patient['age']}-year-old")
    if case.patient.get("sex"):
        who.append(str(case.patient["sex"]))
    person = " ".join(who) or "A patient"
    lines = [f"**{person[0].upper() + person[1:]}**, treated for {INDICATION_WORDS[case.indication]}.",
             f"*Medicines:* {_drug_phrase(case)}."]
    history = []
    if case.jaw_radiotherapy:
        history.append("had radiotherapy that included the jaws")
    if case.jaw_metastasis:
        history.append("has metastatic disease in the jaw")
    if history:
        lines.append("*History:* " + "; ".join(history) + ".")
    exam = []
    if f.exposed_bone:
        exam.append(f"exposed bone in the mouth, present for {f.weeks_persisting:g} weeks")
    if f.fistula_probes_to_bone:
        exam.append(f"a fistula that probes to bone, present for {f.weeks_persisting:g} weeks")
    if not has_lesion(f):
        exam.append("no exposed bone and no fistula that probes to bone")
    exam.append("pain" if f.pain else "no pain")
    exam.append("signs of infection (redness, swelling or pus)" if f.infection else "no sign of infection")
    exam += [stage3[k] for k in stage3 if getattr(f, k)]
    exam += [signs[s][0].lower() + signs[s][1:] for s in f.nonspecific]
    lines.append("*Findings:* " + "; ".join(exam) + ".")
    return "  \n".join(lines)


def vignette_html(case: Case) -> str:
    """The vignette as HTML for a widget (bold, italics and line breaks of :func:`case_vignette`)."""
    text = html_lib.escape(case_vignette(case), quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    return "<p>" + text.replace("  \n", "<br>") + "</p>"


def red_flags(case: Case) -> list[str]:
    """The staging warnings the stage label alone does not carry (numb-chin work-up; the 8-week window never
    defers treatment), as :func:`osteonecrosis.staging.stage` gives them: one home for those rules."""
    return list(stage(case).warnings)


def _hint(case: Case, chosen: str, correct: str) -> str:
    """Point at the criterion the student missed, without naming the right stage."""
    f = case.findings
    weeks = persisting_weeks_threshold()
    lesion = has_lesion(f)
    if correct == "not_mronj":
        if case.jaw_radiotherapy or case.jaw_metastasis:
            return ("Check the third criterion of the case definition: radiotherapy to the jaws or jaw "
                    "metastasis excludes MRONJ, whatever the findings.")
        if lesion and f.weeks_persisting <= weeks:
            return (f"How long has the lesion been there? The case definition asks for more than {weeks:g} "
                    "weeks; before that, treat what needs treating and re-evaluate.")
        return ("Check the first criterion: has this patient ever received an antiresorptive drug? (AAOMS "
                "2022 asks for one, alone or with an antiangiogenic or immune-modulating drug; AAOMS 2014 and "
                "MASCC/ISOO/ASCO 2019 also accepted an antiangiogenic drug alone.)")
    if chosen == "not_mronj":
        return ("All three criteria of the case definition are met here: drug exposure, no radiotherapy or "
                "metastasis in the jaws, and (if there is a lesion) it has lasted long enough. Look again.")
    if correct in ("at_risk", "0"):
        if chosen in ("1", "2", "3"):
            return "Stages 1 to 3 need exposed bone or a fistula that probes to bone. Is there any?"
        if correct == "0":
            return ("Is there really nothing? Look for a nonspecific sign (unexplained pain, loosening, "
                    "numbness, a radiographic change): one is enough to move the patient beyond 'at risk'.")
        return "A nonspecific sign is needed for stage 0. Does this patient have one?"
    # correct is 1, 2 or 3: there is a qualifying lesion
    if chosen in ("at_risk", "0"):
        return (f"There is exposed bone (or a fistula to bone) for more than {weeks:g} weeks: "
                "that is a confirmed case.")
    if correct == "3":
        return ("Read the findings again for a feature of extent or complication (beyond the alveolar "
                "bone, fracture, extraoral fistula, oral-antral communication, osteolysis to the border). "
                "One is enough, whatever the symptoms.")
    if correct == "2":
        if chosen == "3":
            return NO_STAGE3
        return "Look again at the symptoms: is there pain, or redness, swelling or pus around the lesion?"
    # correct == "1"
    if chosen == "2":
        return "Stage 2 needs pain or infection. Does this patient have either?"
    return NO_STAGE3


def grade_stage(case: Case, chosen: str | None) -> Feedback:
    """Feedback on a student's stage for a case: right when it equals ``staging.stage(case)``."""
    if chosen is None:
        return Feedback(False, "Choose a stage first.")
    if chosen not in STAGES:
        known = ", ".join(CHOICE_LABELS.values())
        return Feedback(False, f"Unknown stage {chosen!r}; choose one of: {known}.")
    result = stage(case)
    tail = "".join(f" Warning: {w}" for w in result.warnings)
    if chosen == result.stage:
        why = "; ".join(result.reasons)
        if result.warnings:  # the safety warning comes first, before the label can reassure
            first = " ".join(f"Warning: {w}" for w in result.warnings)
            return Feedback(True, f"{CORRECT} {first} By the staging criteria alone: "
                                  f"{STAGE_LABELS[result.stage]}: {why}.")
        return Feedback(True, f"{CORRECT} {STAGE_LABELS[result.stage]}: {why}.")
    direction = "too high" if stage_order(chosen) > stage_order(result.stage) else "too low"
    if "not_mronj" in (chosen, result.stage):
        direction = "not the right category"
    hint = _hint(case, chosen, result.stage)
    return Feedback(False, f"{TRY_AGAIN} {CHOICE_LABELS[chosen]} is {direction}. {hint}{tail}")


def library_by_stage() -> tuple[list[tuple[str, int]], list[str]]:
    """The case library counted by stage and patient group, as (label, count) bars and their groups."""
    group_of = {"osteoporosis": "osteoporosis", "bone_metastases": "oncology", "multiple_myeloma": "oncology"}
    counts: dict[tuple[str, str], int] = {}
    for case in library().values():
        key = (stage(case).stage, group_of.get(case.indication, "other"))
        counts[key] = counts.get(key, 0) + 1
    items: list[tuple[str, int]] = []
    groups: list[str] = []
    for code in STAGES:
        for group in ("osteoporosis", "oncology", "other"):
            if counts.get((code, group)):
                items.append((f"{STAGE_LABELS[code]} ({group})", counts[(code, group)]))
                groups.append(group)
    return items, groups


def _case_card(number: int, case: Case, on_graded: object) -> widgets.VBox:
    title = html_lib.escape(str(case.extra.get("title", "")))
    story = case.extra.get("vignette")
    story_html = f"<p>{html_lib.escape(str(story))}</p>" if story else ""
    html = f"{story_html}<details open><summary>Key facts</summary>{vignette_html(case)}</details>"
    choice = widgets.ToggleButtons(
        options=[(CHOICE_LABELS[s], s) for s in STAGES], value=None,
        style={"button_width": "auto"}, tooltips=[STAGE_LABELS[s] for s in STAGES],
    )
    out = widgets.HTML()

    def _update(change: object = None) -> None:
        fb = grade_stage(case, choice.value)
        out.value = _feedback_html(fb) if choice.value is not None else ""
        on_graded(number, fb.correct)  # type: ignore[operator]

    choice.observe(_update, names="value")
    heading = f"Case {number}: {title}" if title else f"Case {number}"
    return widgets.VBox([widgets.HTML(f"<h4>{heading}</h4>{html}"), choice, out])


def staging_exercise(case_ids: Sequence[str] = EXERCISE_CASES) -> widgets.VBox:
    """The exercise widget: one card per library case, stage buttons, instant feedback and a running score."""
    lib = library()
    missing = [cid for cid in case_ids if cid not in lib]
    if missing:
        library_case(missing[0])  # raises CaseError naming the id and the known ones
    cases = [lib[cid] for cid in case_ids]
    score = widgets.HTML(f"<b>Score:</b> 0 of {len(cases)} staged correctly.")
    right: dict[int, bool] = {}

    def _graded(number: int, correct: bool) -> None:
        right[number] = correct
        n = sum(right.values())
        done = " Well done: all cases staged correctly." if n == len(cases) else ""
        score.value = f"<b>Score:</b> {n} of {len(cases)} staged correctly.{done}"

    cards = [_case_card(i, c, _graded) for i, c in enumerate(cases, start=1)]
    box = widgets.VBox([*cards, score])
    box.add_class("osteo-staging-exercise")
    return box
