"""The Kubernetes recipe (deploy/k8s/), checked without a cluster or a Docker engine: the image installs exactly the
lock's pins (plus the chart-matched JupyterHub), and the Helm values validate against the Zero to JupyterHub
chart's own values schema after being merged over the chart's defaults, as helm does."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"


def _pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out[name.strip().lower().replace("_", "-")] = version.strip()
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _dockerfile_logical_lines() -> list[str]:
    return re.sub(r"\\\n", " ", (K8S / "Dockerfile").read_text()).splitlines()


def test_image_pins_match_the_lock() -> None:
    lock = _pins(ROOT / "requirements.lock")
    k8s = _pins(K8S / "requirements-k8s.txt")
    hub = _pins(ROOT / "tools" / "hub" / "requirements-hub.txt")
    assert k8s["jupyterhub"] == "5.5.0", "the image's JupyterHub must match the chart's hub"
    for name, version in k8s.items():
        if name == "jupyterhub":
            continue
        assert name not in lock or lock[name] == version, f"{name}: k8s pins {version}, the lock {lock[name]}"
        assert hub.get(name) == version, f"{name}: k8s pins {version}, tools/hub {hub.get(name)}"
    pip_lines = [ln for ln in _dockerfile_logical_lines() if "pip install" in ln]
    assert pip_lines, "the Dockerfile installs nothing with pip"
    for line in pip_lines:
        assert "-c " in line and "requirements.lock" in line or "lock-k8s.txt" in line, \
            f"a pip install without the lock as constraints: {line.strip()[:120]}"
        for name, version in re.findall(r"([A-Za-z0-9_.-]+)==([0-9][^\s]*)", line):
            key = name.lower().replace("_", "-")
            assert {**lock, **k8s}.get(key) == version, f"Dockerfile pins {name}=={version}, not the lock's"
    student_install = next(ln for ln in pip_lines if "/srv/course" in ln)
    assert "lock-k8s.txt" in student_install and "requirements-k8s.txt" in student_install
    for ext in ("formgrader", "create-assignment", "course-list"):
        assert ext in (K8S / "Dockerfile").read_text()
    assert "classroom.student_release" in (K8S / "Dockerfile").read_text(), "the image must hold the student release"


def test_environment_yml_and_dockerfile_use_the_same_python_line() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.split("=")[-1].startswith("3.11")
    assert "debian:12" in (K8S / "Dockerfile").read_text(), "Debian 12 ships Python 3.11 (3.11.2)"


@pytest.fixture(scope="module")
def merged_values() -> dict[str, Any]:
    defaults = yaml.safe_load((K8S / "z2jh-default-values.yaml").read_text())
    values = yaml.safe_load((K8S / "values.yaml").read_text())
    return _merge(defaults, values)


def test_values_validate_against_the_chart_schema(merged_values: dict[str, Any]) -> None:
    schema = yaml.safe_load((K8S / "z2jh-values.schema.yaml").read_text())
    jsonschema.validate(merged_values, schema)
    # The schema is strict: a misspelt key is refused (proves the check can fail).
    broken = _merge(merged_values, {"singleuser": {"storages": {}}})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_values_mount_the_shared_exchange_and_split_instructors(merged_values: dict[str, Any]) -> None:
    single = merged_values["singleuser"]
    mounts = single["storage"]["extraVolumeMounts"]
    exchange_root = re.search(r'Exchange\.root = "([^"]+)"', (K8S / "nbgrader_config.py").read_text()).group(1)
    assert any(m["mountPath"] == exchange_root for m in mounts), "the exchange volume is not at Exchange.root"
    claim = next(v for v in single["storage"]["extraVolumes"] if v["name"] == "nbgrader-exchange")
    pvc = yaml.safe_load((K8S / "exchange-pvc.yaml").read_text())
    assert pvc["metadata"]["name"] == claim["persistentVolumeClaim"]["claimName"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert merged_values["hub"]["config"]["JupyterHub"]["authenticator_class"] != "dummy"
    hook = merged_values["hub"]["extraConfig"]["osteonecrosis-instructors"]
    compile(hook, "extraConfig", "exec")
    assert "/etc/osteonecrosis/instructor" in hook
    server = yaml.safe_load((K8S / "instructor-config" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is True
