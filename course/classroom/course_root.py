"""Which course the classroom tools work on: passed in, never guessed from where this package sits.

The root is, in order: the ``--course-root`` given to ``python -m classroom`` (which sets
``MRONJ_COURSE_ROOT``), the ``MRONJ_COURSE_ROOT`` environment variable, the working directory when it is a
course root, else the nearest folder above it that is one, else (an editable install) the checkout
holding this package. A course root holds
``nbgrader_config.py`` and ``solutions/`` (the repository, or an instructor's copy of it).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "MRONJ_COURSE_ROOT"


class CourseRootError(RuntimeError):
    """No course root was given or found. The message is one line."""


def is_course_root(path: Path) -> bool:
    """True when ``path`` holds ``nbgrader_config.py`` and ``solutions/``."""
    return (path / "nbgrader_config.py").is_file() and (path / "solutions").is_dir()


def course_root(cwd: Path | None = None) -> Path:
    """The course root (see the module docstring); raises CourseRootError when there is none."""
    given = os.environ.get(ENV)
    if given:
        path = Path(given).expanduser().resolve()
        if not is_course_root(path):
            raise CourseRootError(f"{ENV}={given} is not a course root (no nbgrader_config.py and solutions/ there)")
        return path
    here = (Path.cwd() if cwd is None else cwd).resolve()
    package = Path(__file__).resolve().parent  # an editable install: the checkout this package sits in
    for path in (here, *here.parents, *package.parents):
        if is_course_root(path):
            return path
    raise CourseRootError(f"{here} is not inside a course root (a folder with nbgrader_config.py and solutions/); "
                          f"run from the course folder or set {ENV}")
