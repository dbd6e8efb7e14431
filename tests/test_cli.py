"""The command line: one JSON object on stdout; bad input is one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from osteonecrosis.cases import CASES_DIR
from osteonecrosis.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "osteonecrosis", *args], capture_output=True, text=True,
                          timeout=60)


def test_stage_prints_json_with_stage_and_reasons():
    proc = run("stage", str(CASES_DIR / "onc-zoledronate-stage3-fracture.yaml"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["stage"] == "3"
    assert any("pathologic fracture" in r for r in out["reasons"])
    assert proc.stdout.count("\n") == 1


def test_stage_of_short_exposure_says_re_evaluate():
    out = json.loads(run("stage", str(CASES_DIR / "op-short-exposure.yaml")).stdout)
    assert out["stage"] == "not_mronj"
    assert "re-evaluate after 8 weeks" in out["reasons"][0]


def test_stage_reads_json_case(tmp_path):
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


@pytest.mark.parametrize("command", ["stage", "risk", "plan"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_line_exit_2(tmp_path, command, name):
    text, expected = BAD_INPUTS[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    proc = run(command, str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert expected in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [("stage", "/no/such/case.yaml"), ("stage",), ("dance", "x.yaml"), ()])
def test_usage_errors_exit_2_without_traceback(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["risk", "plan"])
def test_risk_and_plan_print_json_with_sources(command):
    proc = run(command, str(CASES_DIR / "onc-denosumab-stage2.yaml"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    text = json.dumps(out)
    assert '"source"' in text and '"evidence"' in text
    assert "not a clinical decision tool" in out["disclaimer"]


def test_every_library_case_runs_through_every_command(capsys):
    for path in sorted(Path(CASES_DIR).glob("*.yaml")):
        for command in ("stage", "risk", "plan"):
            assert main([command, str(path)]) == 0, (path.name, command)
            out = json.loads(capsys.readouterr().out)
            assert out, (path.name, command)
