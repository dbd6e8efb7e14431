"""What `nbgrader validate` tells a student when every visible test passes.

nbgrader prints "Success! Your notebook passes all the tests." (a fixed string in
``nbgrader.validator.Validator``). In this course the visible tests check the form and the worked example only;
hidden tests run at grading, so that sentence reads as a grade it is not. :func:`install` replaces it, for the
command line and for JupyterLab's server-side validate call, with :data:`PASSED`. The course's
``nbgrader_config.py`` and the class hub's shared configuration call it (nbgrader executes those files first).

JupyterLab's Validate button renders its own fixed "Success!" in the browser, so :func:`write_server_config`
(``make setup``, ``make hub``) switches on a custom stylesheet that shows :data:`PASSED` there instead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

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


CUSTOM_CSS_DIR = Path(__file__).resolve().parent / "lab_custom"
CONFIG_NAME = "osteonecrosis-course.json"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "classroom.validate_message"}]


def _load_jupyter_server_extension(serverapp: object) -> None:
    """Serve :data:`CUSTOM_CSS_DIR`/custom.css at JupyterLab's ``/custom/custom.css``. The server's search path
    for it (``static_custom_path``) is not configurable, so this puts the course's folder first in it."""
    paths = serverapp.web_app.settings["static_custom_path"]  # type: ignore[attr-defined]
    if str(CUSTOM_CSS_DIR) not in paths:
        paths.insert(0, str(CUSTOM_CSS_DIR))


def _merge_json(dest: Path, conf: dict[str, dict[str, object]]) -> Path:
    """Merge ``conf`` (section -> settings) into the JSON config file ``dest``, keeping what else it holds."""
    current = json.loads(dest.read_text()) if dest.is_file() else {}
    for section, values in conf.items():
        current.setdefault(section, {}).update(values)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(current, indent=1) + "\n")
    return dest


def write_server_config(prefix: Path) -> list[Path]:
    """Switch the course's Validate text on for every JupyterLab started from the environment at ``prefix``:
    this module as a server extension, and JupyterLab's custom stylesheet (``LabApp.custom_css``). ``jupyter
    lab`` reads LabApp's settings from ``jupyter_lab_config.json``; a server that loads JupyterLab as an
    extension (``jupyterhub-singleuser``) reads them from the server's configuration, so both are written."""
    etc = Path(prefix) / "etc" / "jupyter"
    lab = {"LabApp": {"custom_css": True}}
    server = {"ServerApp": {"jpserver_extensions": {"classroom.validate_message": True}}, **lab}
    return [_merge_json(etc / "jupyter_server_config.d" / CONFIG_NAME, server),
            _merge_json(etc / "jupyter_lab_config.json", lab)]


def main(argv: list[str] | None = None) -> int:
    """``python -m classroom.validate_message [PREFIX]``: write the JupyterLab configuration into PREFIX
    (default: this interpreter's environment)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m classroom.validate_message [ENVIRONMENT_PREFIX]", file=sys.stderr)
        return 2
    prefix = Path(args[0]) if args else Path(sys.prefix)
    if not prefix.is_dir():
        print(f"classroom.validate_message: {prefix} is not a directory", file=sys.stderr)
        return 2
    write_server_config(prefix)
    print(f"== JupyterLab's Validate dialog set to the course's sentence ({prefix}/etc/jupyter)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
