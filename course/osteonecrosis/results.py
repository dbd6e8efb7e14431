"""Typed results: every result the engine returns is a frozen dataclass, read by attribute only.

``plan.stage``, ``assessment.overall``, ``result.reasons``: a result is not a mapping (no ``plan["stage"]``,
no ``plan.get(...)``); :meth:`Result.to_dict` gives the plain data the command line prints as JSON.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any


class Result:
    """Base of the frozen dataclass results (:class:`osteonecrosis.plan.Plan`,
    :class:`osteonecrosis.risk.RiskAssessment`)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as a plain dict of its fields, in declaration order (nested values as they are)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
