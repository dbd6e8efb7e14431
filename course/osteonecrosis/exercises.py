"""Small helpers the assignment tests use, so that their messages teach.

An unanswered question still holds its placeholder (``None``); :func:`answered` then raises
NotImplementedError saying which answer to write, so a blank assignment fails with nothing but
NotImplementedError. The other helpers normalise the answer shapes the assignments ask for.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

from .cases import Case, parse_date
from .rules import exposure, has_lesion, stage3_features
from .sealed import also_accept, sealed_check
from .staging import STAGES

__all__ = ["SEAL", "also_accept", "answer_of", "answered", "as_date", "as_id_list", "as_number", "as_stage",
           "missing_and_extra", "results_of", "sealed_check", "staging_arguments", "visible_checks_passed"]

# The seal placeholder of the instructor's source: each generated notebook holds the seal itself in its place
# (osteonecrosis.sealed; classroom.authoring.seal).
SEAL: str | None = None


def answered(value: Any, name: str) -> Any:
    """Return ``value``; NotImplementedError when it is still the placeholder ``None``."""
    if value is None:
        raise NotImplementedError(
            f"{name}: no answer yet (it is still None). Write it in place of the "
            f"'raise NotImplementedError(...)' line, or fix the first error its cell shows; run that cell, "
            f"then this one."
        )
    return value


def answer_of(name: str) -> Any:
    """The student's answer called ``name``, read from the notebook's names (the caller's globals).

    A missing name means its answer cell stopped at an error (an IndentationError, a typo, a leftover
    ``raise``): one clear message instead of a NameError in every test cell. ``None`` is "not answered yet".
    """
    frame = inspect.currentframe()
    caller = frame.f_back.f_globals if frame is not None and frame.f_back is not None else {}
    if name not in caller:
        raise NameError(
            f"{name} is not defined: run its answer cell and fix the FIRST error it shows "
            f"(often an IndentationError), then run this cell again."
        )
    value = answered(caller[name], name)
    if _left_over_stub(name, caller.get("In")):
        raise NotImplementedError(
            f"{name}: its answer cell still has the line 'raise NotImplementedError(...)' (it shows a red "
            f"error): delete that line, run the cell, then this one."
        )
    return value


_STUB = re.compile(r"^raise NotImplementedError\b", re.MULTILINE)


def _left_over_stub(name: str, history: Any) -> bool:
    """Whether the last cell run that defines ``name`` (IPython's ``In`` list) still ends at the release's
    top-level ``raise NotImplementedError(...)`` line: the answer above it is set, but the cell shows an error."""
    if not isinstance(history, list):
        return False
    binds = re.compile(rf"^(?:{re.escape(name)}\s*(?::[^=]*)?=(?!=)|def {re.escape(name)}\s*\()", re.MULTILINE)
    for source in reversed(history):
        if isinstance(source, str) and binds.search(source):
            return bool(_STUB.search(source))
    return False


def results_of(function: Callable[..., Any], calls: Iterable[tuple]) -> list[Any]:
    """``[function(*args) for args in calls]``: the function on each tuple of arguments, in order.

    In a notebook this is that loop. The grader, which runs tests away from the student's code, hands the
    whole list to the student's kernel in one step (its stand-in for the function has a ``grader_batch``)."""
    calls = [tuple(args) for args in calls]
    batch = getattr(function, "grader_batch", None)
    if callable(batch):
        return list(batch(calls))
    return [function(*args) for args in calls]


def visible_checks_passed(question: str) -> None:
    """The one line every assignment prints when a test cell's checks pass. With the sealed check among them the
    cell's points are earned; grading runs the same checks again, with the hidden tests."""
    print(f"{question}: all checks passed; grading runs them again with the hidden tests.")


def as_stage(value: Any, name: str = "your answer") -> str:
    """A stage code exactly as the course writes it ('not_mronj', 'at_risk', '0' ... '3'); AssertionError
    otherwise, with a message that says how to write it (2 is not '2'; 'not MRONJ' is not 'not_mronj')."""
    if isinstance(value, str) and value in STAGES:
        return value
    if isinstance(value, bool) or value is None:
        raise AssertionError(f"{name}: a stage is text such as '2' or 'at_risk', not {value!r}.")
    if isinstance(value, int | float):
        return _refuse_stage(name, value, f"write '{value:g}' in quotes, not {value!r}")
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "_").replace("-", "_")
        if text.startswith("stage_"):
            text = text[len("stage_"):]
        if text in STAGES:
            return _refuse_stage(name, value, f"write {text!r}, not {value!r}")
    raise AssertionError(
        f"{name}: {value!r} is not a stage code (notebook 04, 'AAOMS stages'). "
        f"Write one of {', '.join(repr(s) for s in STAGES)}."
    )


def _refuse_stage(name: str, value: Any, how: str) -> str:
    raise AssertionError(f"{name}: {how} (notebook 04, 'AAOMS stages').")


def as_id_list(value: Any, name: str = "your answer") -> list[str]:
    """A list of ids (text); AssertionError with a hint when it is not one."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise AssertionError(f"{name}: expected a list of ids such as ['id-a', 'id-b'], got {value!r}")
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise AssertionError(f"{name}: every item must be an id in quotes; {item!r} is not")
    return items


def as_date(value: Any, name: str = "your answer") -> dt.date:
    """A date (a datetime.date, or ISO text 'YYYY-MM-DD'); AssertionError otherwise."""
    parsed = parse_date(value)
    if parsed is not None:
        return parsed
    raise AssertionError(f"{name}: expected a date such as '2026-03-01' (year-month-day), got {value!r}")


def as_number(value: Any, name: str = "your answer") -> float:
    """A number (int or float, not True/False); AssertionError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str):
            text = value.strip()
            if re.fullmatch(r"[+-]?\d+,\d+", text):
                raise AssertionError(f"{name}: write {text.replace(',', '.')} (a decimal point, no quotes), "
                                     f"not {value!r}.")
            unit = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)\s*([^\d\s].*)", text)
            if unit:
                raise AssertionError(f"{name}: write {unit.group(1)} without quotes or unit, not {value!r}.")
            raise AssertionError(f"{name}: write the number without quotes: {value!r} is text, not a number.")
        if value is None:
            raise AssertionError(f"{name}: got None: does the function end with return? "
                                 f"(notebook 00, 'Small functions')")
        raise AssertionError(f"{name}: expected a number without quotes or units, got {value!r}")
    return float(value)


def missing_and_extra(given: Iterable[str], expected: Iterable[str]) -> tuple[list[str], list[str]]:
    """Items expected but not given, and items given but not expected (both sorted)."""
    g, e = set(given), set(expected)
    return sorted(e - g), sorted(g - e)


def staging_arguments(case: Case) -> dict[str, Any]:
    """A library case reduced to the six facts the assignment's staging function takes.

    ``drug_exposure`` follows AAOMS 2022's criterion 1: current or previous antiresorptive treatment (alone or
    with an immune modulator or an antiangiogenic drug); an antiangiogenic drug alone does not meet it.
    """
    f = case.findings
    exp = exposure(case)
    return {
        "drug_exposure": bool(exp["antiresorptive"]),
        "radiotherapy_or_metastasis": case.jaw_radiotherapy or case.jaw_metastasis,
        "exposed_bone_weeks": f.weeks_persisting if has_lesion(f) else 0,
        "pain_or_infection": f.pain or f.infection,
        "stage3_feature": bool(stage3_features(f)),
        "nonspecific_sign": bool(f.nonspecific),
    }
