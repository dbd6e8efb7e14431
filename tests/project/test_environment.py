"""Set-up: pinned versions agree across pyproject.toml, environment.yml and requirements.lock."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

import yaml

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    specs = list(data["project"]["dependencies"])
    for extra in data["project"].get("optional-dependencies", {}).values():
        specs.extend(extra)
    pins = {}
    for spec in specs:
        m = PIN.match(spec.strip())
        assert m, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[_norm(m.group(1))] = m.group(2)
    return pins


def environment_pip_section() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return [str(x).strip() for x in next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)]


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def test_environment_yml_installs_the_lock_and_the_package():
    assert environment_pip_section() == ["-c requirements.lock", "-e .[dev]"]


def test_conda_pip_section_resolves_to_exactly_the_lock(tmp_path):
    """conda writes the pip section to a requirements file beside environment.yml and runs pip there: do the
    same (as a dry run) and compare what pip would install with requirements.lock, package by package.

    In a copy of the project (pip writes the editable package's metadata beside its sources): nothing is written
    into the repository. Asks the package index (the ``network`` tier)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "requirements.lock", "environment.yml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "course", project / "course",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints"))
    req = project / f"condaenv.{os.getpid()}.requirements.txt"
    req.write_text("\n".join(environment_pip_section()) + "\n")
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                           "--quiet", "--report", str(report), "-r", req.name],
                          cwd=project, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    got = {_norm(i["metadata"]["name"]): i["metadata"]["version"] for i in json.loads(report.read_text())["install"]}
    got.pop("osteonecrosis-course")
    got.pop("pip", None)
    assert got == lock_pins()


def test_environment_yml_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11" and python.split("=")[1] >= "3.11"


def test_lock_contains_every_direct_pin():
    lock = lock_pins()
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"requirements.lock has {name}=={lock.get(name)}, pyproject {version}"


def test_required_stack_is_present():
    assert {"jupyterlab", "nbgrader", "ipywidgets", "matplotlib"} <= set(pyproject_pins())


def test_installed_versions_match_the_pins():
    from importlib.metadata import version

    for name, pinned in pyproject_pins().items():
        assert version(name) == pinned, f"installed {name} {version(name)} != pinned {pinned}"


def test_nbgrader_config_points_at_solutions_and_assignments():
    text = (ROOT / "nbgrader_config.py").read_text()
    assert 'source_directory = "solutions"' in text
    assert 'release_directory = "assignments"' in text
    assert re.search(r"timeout = \d+", text)


def test_top_level_layout():
    for name in ("README.md", "environment.yml", "pyproject.toml", "Makefile", "nbgrader_config.py"):
        assert (ROOT / name).is_file(), name
    for name in ("course", "assignments", "solutions", "tests"):
        assert (ROOT / name).is_dir(), name
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_no_parser_built_at_import_in_every_jupyter_process():
    """jsonschema 4.24+ pulls rfc3987-syntax into the format extra that jupyter-events asks for, and it builds a
    Lark grammar at import: 1.5 CPU-s for every process that imports nbformat (each nbgrader, grade-class and
    Jupyter server start), ten times what nbformat costs without it. The pin keeps it out; so does the lock."""
    import importlib.metadata
    import importlib.util

    assert importlib.util.find_spec("rfc3987_syntax") is None, "rfc3987-syntax is installed (see pyproject.toml)"
    locked = {ln.split("==")[0].lower() for ln in (ROOT / "requirements.lock").read_text().splitlines() if "==" in ln}
    assert "rfc3987-syntax" not in locked and "lark" not in locked
    extra = importlib.metadata.metadata("jsonschema").get_all("Requires-Dist") or []
    assert not [r for r in extra if r.startswith("rfc3987-syntax")], "this jsonschema's format extra brings it back"
