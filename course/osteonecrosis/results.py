"""Typed results that still read like the plain dicts earlier callers used.

:class:`ResultMapping` is the base of frozen dataclass results (:class:`osteonecrosis.plan.Plan`,
:class:`osteonecrosis.risk.RiskAssessment`): a result has typed attributes (``plan.stage``,
``assessment.overall``) and is also a read-only ``dict`` of its fields in declaration order
(``plan["stage"]``, ``plan.get("warnings")``, ``json.dumps(plan)``, ``tuple(plan)``), so notebooks,
assignments and widgets written against the dict results keep working. ``to_dict()`` gives a plain copy.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, NoReturn


class ResultMapping(dict):  # type: ignore[type-arg]
    """A read-only dict mirror of a frozen dataclass's fields (filled once, after the dataclass __init__)."""

    def __post_init__(self) -> None:
        dict.update(self, {f.name: getattr(self, f.name) for f in fields(self)})  # type: ignore[arg-type]

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only: use to_dict() for a copy to change")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The result as a plain dict (field order kept; nested values as they are)."""
        return dict(self)
