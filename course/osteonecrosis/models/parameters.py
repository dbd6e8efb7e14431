"""Model parameters from ``knowledge/simulation.yaml``, each with its provenance.

Every number a model uses comes through :func:`param`, so a widget can show where it comes from and
whether it is cited or a teaching assumption (evidence ``teaching_rule``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .. import knowledge


class ModelInputError(ValueError):
    """A model was given an impossible input; the message is one line naming the input."""


@dataclass(frozen=True)
class Parameter:
    id: str
    value: Any
    unit: str
    text: str
    source: tuple[str, ...]
    evidence: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def assumed(self) -> bool:
        """True when the number is a course teaching assumption, not a published figure."""
        return self.evidence == "teaching_rule"

    def label(self) -> str:
        """Short provenance label for a screen: '[sources; evidence]' or 'teaching assumption'."""
        if self.assumed:
            return "teaching assumption (course_teaching_rule)"
        return f"{', '.join(self.source)}; {self.evidence}"


@cache
def _index() -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for _, entry in knowledge.iter_entries(knowledge.load("simulation"), "simulation"):
        out[entry["id"]] = Parameter(
            id=entry["id"],
            value=entry.get("value"),
            unit=str(entry.get("unit", "")),
            text=" ".join(str(entry.get("text", "")).split()),
            source=tuple(knowledge.source_keys(entry)),
            evidence=str(entry.get("evidence")),
            raw=entry,
        )
    return out


def param(entry_id: str) -> Parameter:
    """One model parameter by id (KnowledgeError naming the id when absent)."""
    try:
        return _index()[entry_id]
    except KeyError:
        raise knowledge.KnowledgeError(f"simulation.yaml has no parameter {entry_id!r}") from None


def value(entry_id: str) -> float:
    """The numeric value of a parameter."""
    v = param(entry_id).value
    if v is None:
        raise knowledge.KnowledgeError(f"simulation.yaml parameter {entry_id!r} has no value")
    return float(v)


def all_parameters() -> list[Parameter]:
    """Every model parameter, in file order."""
    return list(_index().values())


def assumptions() -> list[Parameter]:
    """The teaching assumptions (evidence teaching_rule): what a widget must flag on screen."""
    return [p for p in _index().values() if p.assumed]
