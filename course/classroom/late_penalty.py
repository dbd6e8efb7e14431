"""The course's late-submission policy, as an nbgrader ``LateSubmissionPlugin``.

nbgrader_config.py selects it (``c.AssignLatePenalties.plugin_class``), so ``nbgrader autograde`` applies it, and
``grade-class`` applies the same plugin with the same configuration through :func:`apply_late_penalty`. The
penalty is stored where nbgrader stores it (``SubmittedNotebook.late_submission_penalty``): formgrader, the
feedback and ``nbgrader export`` show it.
"""

from __future__ import annotations

import math

from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float, Int
from traitlets.config import Config

DAY = 24 * 3600


class PerDayLatePenalty(LateSubmissionPlugin):
    """A share of the score per started day late; the whole score from ``zero_after_days`` days late on."""

    percent_per_day = Float(10.0, help="percent of the notebook's score lost per started day late").tag(config=True)
    zero_after_days = Int(5, help="from this many started days late on, the penalty is the whole score").tag(
        config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        """Points taken off ``score`` for a submission ``total_seconds_late`` seconds after the due date."""
        if total_seconds_late <= 0 or not score:
            return None
        days = math.ceil(total_seconds_late / DAY)
        if days >= self.zero_after_days:
            return float(score)
        return min(float(score), round(score * self.percent_per_day * days / 100.0, 4))


def plugin_from_config(config: Config) -> LateSubmissionPlugin:
    """The plugin nbgrader's AssignLatePenalties would use under ``config`` (nbgrader's default: no penalty)."""
    from nbgrader.preprocessors import AssignLatePenalties

    return AssignLatePenalties(config=config).plugin_class(config=config)


def apply_late_penalty(gb: Gradebook, assignment: str, student: str, config: Config) -> dict[str, float]:
    """Set each notebook's late penalty of one submission exactly as nbgrader's AssignLatePenalties does.

    Returns {notebook: penalty} for the notebooks that got one. The caller commits.
    """
    plugin = plugin_from_config(config)
    submission = gb.find_submission(assignment, student)
    seconds_late = submission.total_seconds_late
    out: dict[str, float] = {}
    for notebook in submission.notebooks:
        notebook.late_submission_penalty = None
        if seconds_late > 0:
            penalty = plugin.late_submission_penalty(student, notebook.score, seconds_late)
            if penalty is not None:
                penalty = min(max(float(penalty), 0.0), float(notebook.score))
                notebook.late_submission_penalty = penalty
                out[notebook.name] = penalty
    return out
