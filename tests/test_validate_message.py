"""The course's sentence for "every visible test passed", on the command line and in JupyterLab's dialog."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from classroom import validate_message
from classroom.validate_message import CUSTOM_CSS_DIR, PASSED, write_server_config


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
    assert server["ServerApp"]["jpserver_extensions"] == {"classroom.validate_message": True}
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
    proc = subprocess.run([sys.executable, "-m", "classroom.validate_message", str(tmp_path / "nope")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "is not a directory" in proc.stderr


def test_setup_configured_this_environment() -> None:
    """`make setup` ran it for the environment the tests use (the browser tests rely on it)."""
    conf = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_lab_config.json"
    assert json.loads(conf.read_text())["LabApp"]["custom_css"] is True
