"""The command line: one JSON object on stdout; bad input is one line on stderr, exit 2, no traceback.

In-process (``main(argv)`` with pytest's capture), so the fast tier runs them all in a second; two smoke tests
run the real ``python -m osteonecrosis`` in a process of its own (slow tier)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from osteonecrosis.cases import CASES_DIR
from osteonecrosis.cli import main


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys):
    """``run("stage", path)``: the command line in this process, as a shell would see it (exit status, streams)."""

    def call(*args: str) -> Ran:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return call


def test_stage_prints_json_with_stage_and_reasons(run):
    proc = run("stage", str(CASES_DIR / "onc-zoledronate-stage3-fracture.yaml"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["stage"] == "3"
    assert any("pathologic fracture" in r for r in out["reasons"])
    assert proc.stdout.count("\n") == 1


def test_stage_of_short_exposure_says_re_evaluate(run):
    out = json.loads(run("stage", str(CASES_DIR / "op-short-exposure.yaml")).stdout)
    assert out["stage"] == "not_mronj"
    assert "re-evaluate after 8 weeks" in out["reasons"][0]


def test_stage_reads_json_case(run, tmp_path):
    case = tmp_path / "c.json"
    case.write_text(json.dumps({"indication": "osteoporosis",
                                "medications": [{"drug": "alendronate", "months": 40, "current": True}],
                                "findings": {"nonspecific": ["jaw_pain"]}}))
    assert json.loads(run("stage", str(case)).stdout)["stage"] == "0"


BAD_INPUTS = {
    "unknown drug": ("indication: osteoporosis\nmedications: [{drug: aspirin, months: 3}]\n", "drug"),
    "wrong type": ("indication: osteoporosis\nmedications: []\njaw_radiotherapy: maybe\n", "jaw_radiotherapy"),
    "negative duration": ("indication: osteoporosis\nmedications: [{drug: zoledronate, months: -4}]\n", "months"),
    "broken yaml": ("indication: [osteoporosis\n", "broken YAML"),
    "not a mapping": ("- just\n- a list\n", "expected a mapping"),
    "empty file": ("", "expected a mapping"),
    "impossible date": ("indication: osteoporosis\n"
                        "medications: [{drug: denosumab, months: 6, last_dose: 2024-02-30}]\n", "last_dose"),
    "missing medications": ("indication: osteoporosis\n", "medications: missing"),
    "misspelt top-level key": ("indication: osteoporosis\nmedication: [{drug: zoledronate, months: 30}]\n",
                               "medication: unknown field"),
}


def assert_one_line_exit_2(proc: Ran) -> str:
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["stage", "risk", "plan"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_line_exit_2(run, tmp_path, command, name):
    text, expected = BAD_INPUTS[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert expected in assert_one_line_exit_2(run(command, str(path)))


@pytest.mark.parametrize("args", [("stage", "/no/such/case.yaml"), ("stage",), ("dance", "x.yaml"), ()])
def test_usage_errors_exit_2_without_traceback(run, args):
    assert assert_one_line_exit_2(run(*args)).startswith("osteonecrosis: ")


@pytest.mark.parametrize("command", ["risk", "plan"])
def test_risk_and_plan_print_json_with_sources(run, command):
    proc = run(command, str(CASES_DIR / "onc-denosumab-stage2.yaml"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    text = json.dumps(out)
    assert '"source"' in text and '"evidence"' in text
    assert "not a clinical decision tool" in out["disclaimer"]


def test_every_library_case_runs_through_every_command(run):
    for path in sorted(Path(CASES_DIR).glob("*.yaml")):
        for command in ("stage", "risk", "plan"):
            proc = run(command, str(path))
            assert proc.returncode == 0, (path.name, command, proc.stderr)
            assert json.loads(proc.stdout), (path.name, command)


# -- the real console entry point, in a process of its own (slow tier: tests/conftest.py "test_cli::test_smoke_*")
def _python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "osteonecrosis", *args], capture_output=True, text=True,
                          timeout=120)


def test_smoke_python_m_osteonecrosis_prints_one_json_line():
    proc = _python("stage", str(CASES_DIR / "onc-zoledronate-stage3-fracture.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1 and json.loads(proc.stdout)["stage"] == "3"


def test_smoke_bad_input_in_a_real_process_is_one_line_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("indication: [osteoporosis\n")
    proc = _python("risk", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "broken YAML" in proc.stderr
    assert "Traceback" not in proc.stderr
