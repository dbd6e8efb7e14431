"""What `nbgrader validate` tells a student when every visible test passes.

nbgrader prints "Success! Your notebook passes all the tests." (a fixed string in
``nbgrader.validator.Validator``). In this course the visible tests check the form and the worked example only;
hidden tests run at grading, so that sentence reads as a grade it is not. :func:`install` replaces it, for the
command line and for JupyterLab's server-side validate call, with :data:`PASSED`. The course's
``nbgrader_config.py`` and the class hub's shared configuration call it (nbgrader executes those files first).
"""

from __future__ import annotations

from nbgrader.validator import Validator

PASSED = ("Visible tests passed. This is NOT your grade: hidden tests run when your work is graded, "
          "so check the edge cases the questions name.\n")

_original = Validator._print_num_failed


def _print_num_failed(self: Validator, num_failed: int) -> None:
    if num_failed == 0:
        self.stream.write(PASSED)
    else:
        _original(self, num_failed)


def install() -> None:
    """Make every Validator in this process say :data:`PASSED` instead of nbgrader's "Success!"."""
    Validator._print_num_failed = _print_num_failed  # type: ignore[method-assign]
