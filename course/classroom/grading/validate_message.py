"""What `nbgrader validate` tells a student when every visible test passes.

nbgrader prints "Success! Your notebook passes all the tests." (a fixed string in
``nbgrader.validator.Validator``). In this course the visible tests check the form and the worked example only;
hidden tests run at grading, so that sentence reads as a grade it is not. :func:`install` replaces it, for the
command line and for JupyterLab's server-side validate call, with :data:`PASSED`. The course's
``nbgrader_config.py`` and the class hub's shared configuration call it (nbgrader executes those files first).

JupyterLab's Validate button renders its own fixed "Success!" in the browser, so :func:`write_server_config`
(``make setup``, ``make hub``) switches on a custom stylesheet that shows :data:`PASSED` there instead.

A failed validation reads as one line per failed check, the course's message first (:func:`failure_lines`):
nbgrader shows each failed cell's whole source (test code) and the error's full traceback, with the useful
sentence at the bottom. nbgrader has no setting for what it shows of a failed cell, so :func:`install` replaces
the two methods that pick the failed cells and their errors, and the headline says :data:`FAILED_WARNING` (printed
by the method that already says :data:`PASSED`, so the hub's configuration needs no setting of its own).
``Validator.validate`` feeds both the command line and the JupyterLab dialog, so both show the same lines.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from nbgrader.validator import Validator

PASSED = ("Visible tests passed. This is NOT your grade: hidden tests run when your work is graded, "
          "so check the edge cases the questions name.\n")

FAILED_WARNING = ("{num_failed} check(s) failed. Each one is a line below: read it, fix that answer, run its "
                  "cell, then validate again.\n")
NO_RESPONSE = "You did not provide a response."
PARTIAL = "Partial credit: this cell passed some but not all of its tests."
MAX_MESSAGE = 300  # characters of one message line (the course's messages are at most 80)

_original_failed_cells = Validator._get_failed_cells
_original_extract_error = Validator._extract_error
_DETAIL_KEY = "course_validate_detail"


def _print_num_failed(self: Validator, num_failed: int) -> None:
    if num_failed == 0:
        self.stream.write(PASSED)
    else:
        self.stream.write(FAILED_WARNING.format(num_failed=num_failed))


def _one_line(text: str) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def _question(grade_id: str) -> str:
    match = re.match(r"q(\d+)", grade_id, re.IGNORECASE)
    return f"Q{match.group(1)}" if match else ""


def failure_lines(cell: Any) -> tuple[str, str]:
    """(message, where) for a cell that failed validation: the first line of the test's own message (an
    AssertionError's text), or ``Name: text`` of any other error, never a traceback; ``where`` names the cell to
    run again."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    grade_id = str(meta.get("grade_id", "")) or "this cell"
    question = _question(grade_id)
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if cell.get("cell_type") != "code":
        message = NO_RESPONSE
    elif errors:
        ename, evalue = str(errors[0].get("ename", "Error")), _one_line(errors[0].get("evalue", ""))
        if ename == "AssertionError":
            message = evalue or "a check failed without a message"
        else:
            message = f"{ename}: {evalue}" if evalue else ename
    elif meta.get("grade") and not meta.get("solution"):
        message = PARTIAL
    else:
        message = NO_RESPONSE
    if question and not re.match(rf"{question}\b", message):
        message = f"{question}: {message}"
    kind = "test cell" if meta.get("grade") and not meta.get("solution") else "cell"
    return message, f"(in {kind} '{grade_id}': fix the answer it checks, then run it again)"


def _get_failed_cells(self: Validator, nb: Any) -> list[Any]:
    """nbgrader's failed cells, each standing in with its one-line message as its source."""
    out = []
    for cell in _original_failed_cells(self, nb):
        message, where = failure_lines(cell)
        shown = copy.copy(cell)
        shown["source"] = message
        shown["metadata"] = {**cell.get("metadata", {}), _DETAIL_KEY: where}
        out.append(shown)
    return out


def _extract_error(self: Validator, cell: Any) -> str:
    where = cell.get("metadata", {}).get(_DETAIL_KEY)
    return where if where is not None else _original_extract_error(self, cell)


def install() -> None:
    """Make every Validator in this process say :data:`PASSED` instead of nbgrader's "Success!", and report a
    failed cell as its one-line message (:func:`failure_lines`) instead of its source and traceback.

    A monkeypatch, kept on purpose: nbgrader offers no setting, template or class hook here. Both callers build the
    class by name (``Validator(parent=self)``,
    https://github.com/jupyter/nbgrader/blob/v0.9.6/nbgrader/apps/validateapp.py#L69, and
    ``Validator(config=config)``,
    https://github.com/jupyter/nbgrader/blob/v0.9.6/nbgrader/server_extensions/validate_assignment/handlers.py#L49)
    and the sentence is a literal (https://github.com/jupyter/nbgrader/blob/v0.9.6/nbgrader/validator.py#L184-L186).
    See docs/threat_model.md, "Monkeypatches"."""
    Validator._print_num_failed = _print_num_failed  # type: ignore[method-assign]
    Validator._get_failed_cells = _get_failed_cells  # type: ignore[method-assign]
    Validator._extract_error = _extract_error  # type: ignore[method-assign]


CUSTOM_CSS_DIR = Path(__file__).resolve().parent / "lab_custom"
CONFIG_NAME = "osteonecrosis-course.json"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "classroom.grading.validate_message"}]


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
    server = {"ServerApp": {"jpserver_extensions": {"classroom.grading.validate_message": True}}, **lab}
    return [_merge_json(etc / "jupyter_server_config.d" / CONFIG_NAME, server),
            _merge_json(etc / "jupyter_lab_config.json", lab)]


def main(argv: list[str] | None = None) -> int:
    """``python -m classroom.grading.validate_message [PREFIX]``: write the JupyterLab configuration into PREFIX
    (default: this interpreter's environment)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m classroom.grading.validate_message [ENVIRONMENT_PREFIX]", file=sys.stderr)
        return 2
    prefix = Path(args[0]) if args else Path(sys.prefix)
    if not prefix.is_dir():
        print(f"classroom.grading.validate_message: {prefix} is not a directory", file=sys.stderr)
        return 2
    write_server_config(prefix)
    print(f"== JupyterLab's Validate dialog set to the course's sentence ({prefix}/etc/jupyter)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
