"""Building blocks for the course notebooks: objectives, checks with instant feedback, references.

Each check is a thin ipywidgets view over a pure function (:func:`grade_choice`, :func:`grade_number`)
that the tests call without a browser.

The course notebooks ask their checks by id (``teaching.check("03-odds-ratio-width")``): the question, the
options, the answer and the explanation live in ``checks/NN_<notebook>.yaml``, where the student's notebook does
not show them. An entry whose answer is computed from the knowledge base names a function of
:mod:`osteonecrosis.check_values` under ``values``; its strings are then templates filled with what that function
returns (``{total_mg:g}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import yaml
from IPython.display import Markdown, display

from . import DISCLAIMER, knowledge

CHECKS_DIR = Path(__file__).resolve().parent / "checks"
CHECK_KINDS = ("quiz", "estimate", "reveal")
CORRECT = "Correct."
TRY_AGAIN = "Not quite."


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str


def grade_choice(chosen: str | None, answer: str, explanation: str, hints: dict[str, str] | None = None) -> Feedback:
    """Feedback on a multiple-choice answer: the explanation when right, a targeted hint when wrong."""
    if chosen is None:
        return Feedback(False, "Choose an answer first.")
    if chosen == answer:
        return Feedback(True, f"{CORRECT} {explanation}")
    hint = (hints or {}).get(chosen, "Read the question again, then look at the figure or table above.")
    return Feedback(False, f"{TRY_AGAIN} {hint}")


def grade_number(value: float | None, low: float, high: float, explanation: str, unit: str = "") -> Feedback:
    """Feedback on a numeric estimate: right when it falls within [low, high] (units named)."""
    if value is None:
        return Feedback(False, "Enter a number first.")
    unit_s = f" {unit}" if unit else ""
    if low <= value <= high:
        return Feedback(True, f"{CORRECT} {explanation}")
    side = "too low" if value < low else "too high"
    between = f"{low:g} and {high:g}{unit_s}"
    return Feedback(False, f"{TRY_AGAIN} {value:g}{unit_s} is {side}: the answer lies between {between}.")


def _feedback_html(fb: Feedback) -> str:
    colour = "#1b7837" if fb.correct else "#b2182b"  # colour-blind-safe pair (green/red-brown) plus a word
    mark = "✔" if fb.correct else "✘"
    return f'<div style="color:{colour}" role="status" aria-live="polite">{mark} {fb.message}</div>'


def quiz(question: str, options: Sequence[str], answer: str, explanation: str,
         hints: dict[str, str] | None = None) -> widgets.VBox:
    """A multiple-choice check with instant feedback. Returns the widget (display it, or let Jupyter)."""
    if answer not in options:
        raise ValueError(f"quiz answer {answer!r} is not among the options")
    choice = widgets.RadioButtons(options=list(options), value=None, layout={"width": "max-content"})
    out = widgets.HTML()

    def _update(change: object = None) -> None:
        out.value = _feedback_html(grade_choice(choice.value, answer, explanation, hints)) if choice.value else ""

    choice.observe(_update, names="value")
    box = widgets.VBox([widgets.HTML(f"<b>Check.</b> {question}"), choice, out])
    box.add_class("osteo-quiz")
    return box


def estimate(question: str, low: float, high: float, explanation: str, unit: str = "",
             start: float = 0.0) -> widgets.VBox:
    """Predict-then-reveal: the student types a number, then presses Reveal to compare with the sources."""
    entry = widgets.FloatText(value=start, description=unit or "value")
    button = widgets.Button(description="Reveal", button_style="info")
    out = widgets.HTML()

    def _reveal(_: object = None) -> None:
        out.value = _feedback_html(grade_number(entry.value, low, high, explanation, unit))

    button.on_click(_reveal)
    box = widgets.VBox([widgets.HTML(f"<b>Predict.</b> {question}"), widgets.HBox([entry, button]), out])
    box.add_class("osteo-estimate")
    return box


def reveal(question: str, answer_markdown: str) -> widgets.VBox:
    """Think first, then press to see the answer (for open questions)."""
    button = widgets.Button(description="Show the answer")
    out = widgets.Output()

    def _show(_: object = None) -> None:
        with out:
            out.clear_output()
            display(Markdown(answer_markdown))

    button.on_click(_show)
    return widgets.VBox([widgets.HTML(f"<b>Think.</b> {question}"), button, out])


def disclaimer() -> Markdown:
    """The course's standing reminder that it teaches and does not decide."""
    return Markdown(f"> **Teaching, not treating.** {DISCLAIMER}")


def references(keys: Sequence[str]) -> Markdown:
    """The notebook's reference list rendered from the registry (fails loudly on an unknown key)."""
    return Markdown("### References\n\n" + knowledge.bibliography(list(keys)))


def figure_description(text: str) -> Markdown:
    """A one-line text description of a figure, for screen readers and for reading without the plot."""
    return Markdown(f"*Figure description:* {text}")


# --- checks kept out of the student's notebook ------------------------------------------------------------------


class CheckError(ValueError):
    """A check id that does not exist, or an entry of checks/*.yaml that cannot be shown."""


@cache
def checks() -> dict[str, dict[str, Any]]:
    """Every check of checks/*.yaml by its id (ids are unique across the files); the file name is kept in
    ``notebook``."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(CHECKS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise CheckError(f"{path.name}: expected a mapping of check ids to checks")
        for check_id, entry in data.items():
            if check_id in found:
                raise CheckError(f"{path.name}: check id {check_id!r} is also in {found[check_id]['notebook']}")
            if not isinstance(entry, dict):
                raise CheckError(f"{path.name}: check {check_id!r} is not a mapping")
            found[check_id] = {**entry, "notebook": path.stem}
    return found


def _filled(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format_map(values) if values else value
    if isinstance(value, list):
        return [_filled(v, values) for v in value]
    if isinstance(value, dict):
        return {_filled(k, values): _filled(v, values) for k, v in value.items()}
    return value


def check_entry(check_id: str, **inputs: Any) -> dict[str, Any]:
    """The check ``check_id`` with its computed values filled in (numbers for ``low``/``high``). ``inputs`` are
    the notebook's own teaching data the entry's ``values`` function needs (e.g. the notebook's evidence grid)."""
    entry = checks().get(check_id)
    if entry is None:
        raise CheckError(f"no check {check_id!r} in {CHECKS_DIR.name}/*.yaml")
    kind = entry.get("kind")
    if kind not in CHECK_KINDS:
        raise CheckError(f"check {check_id!r}: kind {kind!r} is not one of {', '.join(CHECK_KINDS)}")
    values: dict[str, Any] = dict(inputs)
    if entry.get("values"):
        from . import check_values

        provider = getattr(check_values, str(entry["values"]), None)
        if provider is None:
            raise CheckError(f"check {check_id!r}: check_values has no function {entry['values']!r}")
        try:
            values = provider(**inputs)
        except TypeError as exc:
            raise CheckError(f"check {check_id!r}: {entry['values']}() cannot take {sorted(inputs)}: {exc}") from None
    out = {k: _filled(v, values) for k, v in entry.items() if k not in {"values", "notebook"}}
    for bound in ("low", "high", "start"):
        if bound in out:
            out[bound] = float(out[bound])
    return out


def check(check_id: str, **inputs: Any) -> widgets.VBox:
    """The widget of check ``check_id`` (a quiz, an estimate or a reveal) from checks/*.yaml."""
    e = check_entry(check_id, **inputs)
    if e["kind"] == "quiz":
        return quiz(e["question"], e["options"], e["answer"], e["explanation"], e.get("hints"))
    if e["kind"] == "estimate":
        return estimate(e["question"], e["low"], e["high"], e["explanation"], e.get("unit", ""), e.get("start", 0.0))
    return reveal(e["question"], e["answer"])
