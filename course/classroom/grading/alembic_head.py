"""nbgrader's gradebook schema version, read in-process.

A new gradebook makes nbgrader start the ``alembic`` program by name (``nbgrader.api.get_alembic_version``, called
from ``Gradebook.__init__``: https://github.com/jupyter/nbgrader/blob/v0.9.6/nbgrader/api.py#L35-L37): a second
Python process, about a CPU second, and a failure where ``alembic`` is not on ``PATH``. nbgrader lets no caller pass
the version in, so :func:`install` replaces that function (a monkeypatch kept on purpose: docs/threat_model.md,
"Monkeypatches"). grade-class installs it (``gradebook.py``), and so does the course's ``nbgrader_config.py`` for
every nbgrader command and formgrader.
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def alembic_head() -> str:
    """The revision ``alembic heads`` prints for nbgrader's migrations (one head)."""
    import nbgrader
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def install() -> None:
    """Make nbgrader read its schema version with :func:`alembic_head` instead of the ``alembic`` program."""
    import nbgrader.api

    nbgrader.api.get_alembic_version = alembic_head
