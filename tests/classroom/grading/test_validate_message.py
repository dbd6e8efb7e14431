"""The course's sentence for "every visible test passed", on the command line and in JupyterLab's dialog."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

from classroom.grading import validate_message
from classroom.grading.validate_message import CUSTOM_CSS_DIR, PASSED, write_server_config


def test_stylesheet_shows_the_same_sentence_as_the_command_line() -> None:
    css = (CUSTOM_CSS_DIR / "custom.css").read_text()
    shown = re.findall(r'#validation-message\.validation-success::before\s*\{[^}]*content:\s*"([^"]*)"', css)
    assert shown == [PASSED.strip()]
    assert re.search(r"#validation-message\.validation-success > div\s*\{\s*display:\s*none", css), \
        "nbgrader's own 'Success!' paragraph is not hidden"
    assert "NOT your grade" in PASSED and "Success" not in PASSED


def test_server_config_switches_on_the_stylesheet_and_keeps_other_settings(tmp_path: Path) -> None:
    lab_json = tmp_path / "etc" / "jupyter" / "jupyter_lab_config.json"
    lab_json.parent.mkdir(parents=True)
    lab_json.write_text(json.dumps({"LabApp": {"news_url": ""}, "Other": {"x": 1}}))
    written = write_server_config(tmp_path)
    assert json.loads(lab_json.read_text()) == {"LabApp": {"news_url": "", "custom_css": True}, "Other": {"x": 1}}
    server = json.loads((tmp_path / "etc/jupyter/jupyter_server_config.d/osteonecrosis-course.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {"classroom.grading.validate_message": True}
    assert server["LabApp"]["custom_css"] is True
    assert write_server_config(tmp_path) == written  # idempotent
    assert json.loads(lab_json.read_text())["LabApp"]["custom_css"] is True


def test_server_extension_puts_the_course_stylesheet_first() -> None:
    class App:
        class web_app:  # noqa: N801 - mimics jupyter_server's attribute
            settings = {"static_custom_path": ["/home/x/.jupyter/custom", "/site/custom"]}
    validate_message._load_jupyter_server_extension(App)
    validate_message._load_jupyter_server_extension(App)
    assert App.web_app.settings["static_custom_path"] == [str(CUSTOM_CSS_DIR), "/home/x/.jupyter/custom",
                                                          "/site/custom"]


def test_command_line_refuses_a_missing_prefix_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "classroom.grading.validate_message", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "is not a directory" in proc.stderr


def test_setup_configured_this_environment() -> None:
    """`make setup` ran it for the environment the tests use (the browser tests rely on it)."""
    conf = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_lab_config.json"
    assert json.loads(conf.read_text())["LabApp"]["custom_css"] is True


def _failed_cell(grade_id: str, ename: str | None = None, evalue: str = "", grade: bool = True,
                 solution: bool = False) -> dict:
    outputs = []
    if ename:
        outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                        "traceback": ["\x1b[0;31m---------\x1b[0m", "File /usr/lib/python3/site-packages/x.py:12",
                                      f"{ename}: {evalue}"]})
    return {"cell_type": "code", "source": "assert answer == 'secret test code'\n" * 5, "outputs": outputs,
            "metadata": {"nbgrader": {"grade": grade, "solution": solution, "grade_id": grade_id, "points": 1}}}


def test_a_failed_check_is_its_message_in_one_line() -> None:
    msg, where = validate_message.failure_lines(
        _failed_cell("q3_tests", "AssertionError", "Q3: give a stage, e.g. '2' (notebook 04, 'AAOMS stages')"))
    assert msg == "Q3: give a stage, e.g. '2' (notebook 04, 'AAOMS stages')"
    assert "q3_tests" in where and "\n" not in msg + where
    msg, _ = validate_message.failure_lines(_failed_cell("q5_visible", "TypeError", "unsupported operand\nmore"))
    assert msg == "Q5: TypeError: unsupported operand"
    msg, _ = validate_message.failure_lines(_failed_cell("q2_tests", "AssertionError", ""))
    assert msg == "Q2: a check failed without a message"
    assert validate_message.failure_lines(_failed_cell("q7_answer", grade=False, solution=True))[0].endswith(
        validate_message.NO_RESPONSE)
    assert validate_message.failure_lines(_failed_cell("q1_tests"))[0] == f"Q1: {validate_message.PARTIAL}"


def test_validator_reports_one_line_per_failed_cell_without_code_or_traceback(tmp_path: Path) -> None:
    """Validator.validate feeds both `nbgrader validate` and the JupyterLab dialog: what it returns for a failed
    cell is the message and where, never the test's source or a library traceback."""
    import nbformat
    from nbgrader.validator import Validator

    validate_message.install()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("answer = 1", metadata={"nbgrader": {
            "grade": False, "solution": True, "grade_id": "q1_answer", "locked": False, "schema_version": 3}}),
        nbformat.v4.new_code_cell(
            "import json\nsecret = json.loads('[2]')\n"
            "assert answer == secret[0], 'Q1: not yet (notebook 03, \"Risk\")'",
            metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "q1_tests", "points": 1,
                                   "locked": True, "schema_version": 3}}),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    validator = Validator(ignore_checksums=True)
    failed = validator.validate(str(path))["failed"]
    assert [f["source"] for f in failed] == ['Q1: not yet (notebook 03, "Risk")']
    assert "secret" not in json.dumps(failed) and "Traceback" not in json.dumps(failed)
    assert "q1_tests" in failed[0]["error"]
    validator.stream = io.StringIO()
    validator.validate_and_print(str(path))
    printed = validator.stream.getvalue()
    assert printed.startswith("1 check(s) failed.") and 'Q1: not yet (notebook 03, "Risk")' in printed
    assert "secret" not in printed and "VALIDATION FAILED" not in printed
