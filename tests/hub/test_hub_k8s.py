"""The Kubernetes recipe (deploy/k8s/), checked without a cluster or a Docker engine.

- pins: the image installs exactly the lock's pins (plus the chart-matched JupyterHub);
- values: deploy/k8s/values.yaml (and the LMS overlay) merged over chart 4.4.0's defaults validate against the
  chart's values schema;
- pods: the chart's own hub configuration and KubeSpawner 7.0.0 render, offline, the pods of an instructor and two
  students from the recipe (deploy/k8s/render_pods.py): each runs with the uid the roster gave that person, mounts
  its own home and the shared exchange, no fsGroup, an init container fixes the modes; every manifest validates
  against the Kubernetes 1.37 schemas (kubernetes-validate, schemas shipped in the package);
- image: hadolint passes the Dockerfile, and its Python layer (deploy/k8s/python-layer.sh) is built outside Docker
  with Debian 12's python3 and checked.
The render tools live in their own environment (deploy/k8s/requirements-render.txt), built once into /tmp.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT
from tests.support.pip_env import NO_BYTE_COMPILE

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
    layer = re.sub(r"\\\n", " ", (K8S / "python-layer.sh").read_text()).splitlines()
    pip_lines = [ln for ln in _dockerfile_logical_lines() + layer if re.search(r"pip\"? install", ln)]
    assert pip_lines, "the image installs nothing with pip"
    for line in pip_lines:
        assert "-c " in line and "requirements.lock" in line or "lock-k8s.txt" in line, \
            f"a pip install without the lock as constraints: {line.strip()[:120]}"
        for name, version in re.findall(r"([A-Za-z0-9_.-]+)==([0-9][^\s]*)", line):
            key = name.lower().replace("_", "-")
            assert {**lock, **k8s}.get(key) == version, f"the image pins {name}=={version}, not the lock's"
    course_install = next(ln for ln in pip_lines if '"$src"' in ln)
    assert "lock-k8s.txt" in course_install and "requirements-k8s.txt" in course_install
    for ext in ("formgrader", "create-assignment", "course-list"):
        assert ext in (K8S / "python-layer.sh").read_text()
    assert "classroom.publishing.student_release" in (K8S / "Dockerfile").read_text(), (
        "the image must hold the student release")


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
    hook = merged_values["hub"]["extraConfig"]["osteonecrosis-users"]
    compile(hook, "extraConfig", "exec")
    assert "/etc/osteonecrosis/instructor" in hook and "c.KubeSpawner.uid = _uid" in hook
    assert merged_values["singleuser"]["fsGid"] is None and merged_values["singleuser"]["uid"] is None
    server = yaml.safe_load((K8S / "instructor-config" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is True


# ------------------------------------------------------------------------------------------------ offline render
DEBIAN_PYTHON = "/usr/bin/python3"
INSTRUCTOR, STUDENTS = "drdiaz", ["s001", "s002"]
EXCHANGE_ROOT = "/usr/local/share/nbgrader/exchange"


def _python() -> str:
    return DEBIAN_PYTHON if Path(DEBIAN_PYTHON).is_file() else sys.executable


def _cached_venv(name: str, inputs: list[Path], build: Any) -> Path:
    """A throw-away environment in /tmp, rebuilt only when one of ``inputs`` changes."""
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs) + _python().encode()).hexdigest()[:12]
    venv = Path(tempfile.gettempdir()) / f"osteonecrosis-{name}-{digest}"
    if (venv / ".complete").is_file():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    build(venv)
    (venv / ".complete").write_text("ok")
    return venv


@pytest.fixture(scope="module")
def render_venv() -> Path:
    pins = K8S / "requirements-render.txt"

    def build(venv: Path) -> None:
        subprocess.run([_python(), "-m", "venv", str(venv)], check=True)
        pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--progress-bar", "off", "-r", str(pins)],
                             capture_output=True, text=True, timeout=1500, env={**os.environ, **NO_BYTE_COMPILE})
        assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]

    return _cached_venv("k8s-render", [pins], build)


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The roster's uids, written by hub.py k8s-users with Debian's python3 (as docs/hub.md says)."""
    tmp = tmp_path_factory.mktemp("k8s")
    roster = tmp / "students.csv"
    roster.write_text("id,first_name,last_name,email\n" + "".join(f"{s},A,B,{s}@example.org\n" for s in STUDENTS))
    out = subprocess.run([_python(), str(ROOT / "tools" / "hub" / "hub.py"), "k8s-users", "--roster", str(roster),
                          "--instructor", INSTRUCTOR], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    (tmp / "k8s-users.json").write_text(out.stdout)
    return tmp / "k8s-users.json"


def _render(venv: Path, values: list[Path], users: list[str]) -> subprocess.CompletedProcess[str]:
    args = [a for v in values for a in ("--values", str(v))]
    return subprocess.run([str(venv / "bin" / "python"), str(K8S / "render_pods.py"), *args, *users],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def rendered(render_venv: Path, users_file: Path) -> dict[str, Any]:
    out = _render(render_venv, [K8S / "values.yaml", users_file], [INSTRUCTOR, *STUDENTS])
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def _env(pod: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in pod["spec"]["containers"][0].get("env", [])}


def test_each_person_runs_as_their_own_uid(rendered: dict[str, Any], users_file: Path) -> None:
    uids = json.loads(users_file.read_text())["custom"]["osteonecrosis"]["uids"]
    pods = rendered["pods"]
    assert sorted(pods) == sorted([INSTRUCTOR, *STUDENTS])
    seen = {}
    for user, pod in pods.items():
        spec = pod["spec"]
        container = spec["containers"][0]
        sc = container["securityContext"]
        assert sc["runAsUser"] == uids[user], (user, sc)
        assert sc["runAsGroup"] == 100 and sc["allowPrivilegeEscalation"] is False, sc
        assert "fsGroup" not in (spec.get("securityContext") or {}), \
            f"{user}: an fsGroup would hand every pod's group the shared exchange"
        seen[user] = sc["runAsUser"]
    assert len(set(seen.values())) == len(seen), f"two people share a uid: {seen}"
    assert all(u >= 20000 for u in seen.values()), "pod uids must not collide with the image's jovyan (1000)"


def test_each_pod_has_its_own_home_and_the_shared_exchange(rendered: dict[str, Any], users_file: Path) -> None:
    uids = json.loads(users_file.read_text())["custom"]["osteonecrosis"]["uids"]
    homes = set()
    for user, pod in rendered["pods"].items():
        spec = pod["spec"]
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
        assert volumes[mounts[EXCHANGE_ROOT]]["persistentVolumeClaim"]["claimName"] == "nbgrader-exchange"
        home = volumes[mounts["/home/jovyan"]]["persistentVolumeClaim"]["claimName"]
        assert home == f"claim-{user}" == rendered["pvcs"][user]["metadata"]["name"]
        homes.add(home)
        # Before the server starts, as root with only CHOWN/FOWNER: the home is this uid's (0700), the exchange
        # root's with mode 1777 (nbgrader then makes inbound/ write-only for students, as on one machine).
        init = {c["name"]: c for c in spec["initContainers"]}["course-permissions"]
        script = init["command"][-1]
        assert f"chown {uids[user]}:100 /home/jovyan" in script and "chmod 0700 /home/jovyan" in script, script
        assert f"chown 0:0 {EXCHANGE_ROOT}" in script and f"chmod 1777 {EXCHANGE_ROOT}" in script, script
        assert init["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["CHOWN", "FOWNER"]}
        assert {m["name"] for m in init["volumeMounts"]} == {mounts["/home/jovyan"], mounts[EXCHANGE_ROOT],
                                                               "course-passwd"}
        # nbgrader names exchange files after pwd's name for the uid and maps "jovyan" to the hub user: the pod's
        # /etc/passwd is the image's with jovyan given this uid, written by the init container into an emptyDir.
        passwd = next(m for m in spec["containers"][0]["volumeMounts"] if m["mountPath"] == "/etc/passwd")
        assert passwd["subPath"] == "passwd" and passwd["readOnly"] is True and "emptyDir" in volumes[passwd["name"]]
        edit = script.split(" && ")[-1]
        assert edit.endswith("/etc/passwd > /course-passwd/passwd"), edit
        image_passwd = "root:x:0:0:root:/root:/bin/bash\njovyan:x:1000:100::/home/jovyan:/bin/bash\n"
        ran = subprocess.run(["sh", "-c", edit.replace("/etc/passwd > /course-passwd/passwd", "")],
                             input=image_passwd, capture_output=True, text=True)
        assert ran.stdout.splitlines() == ["root:x:0:0:root:/root:/bin/bash",
                                           f"jovyan:x:{uids[user]}:100::/home/jovyan:/bin/bash"], ran.stdout
    assert len(homes) == 3
    pvc = yaml.safe_load((K8S / "exchange-pvc.yaml").read_text())
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]


def test_only_instructors_get_formgrader_on_their_course(rendered: dict[str, Any]) -> None:
    for user, pod in rendered["pods"].items():
        path = _env(pod).get("JUPYTER_CONFIG_PATH")
        assert path == ("/etc/osteonecrosis/instructor" if user == INSTRUCTOR else None), (user, path)
    conf = (K8S / "instructor-config" / "nbgrader_config.py").read_text()
    assert 'c.CourseDirectory.root = "/home/jovyan/osteonecrosis-course"' in conf
    server = json.loads((K8S / "instructor-config" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is True


def test_someone_not_on_the_roster_gets_no_pod(render_venv: Path, users_file: Path) -> None:
    out = _render(render_venv, [K8S / "values.yaml", users_file], ["intruder"])
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr[-2000:]
    assert "intruder has no uid" in out.stderr.strip().splitlines()[-1]


def test_every_manifest_validates_against_the_kubernetes_schemas(render_venv: Path, rendered: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    files = [K8S / "exchange-pvc.yaml"]
    for kind in ("pods", "pvcs"):
        for user, manifest in rendered[kind].items():
            files.append(tmp_path / f"{kind}-{user}.json")
            files[-1].write_text(json.dumps(manifest))
    check = subprocess.run([str(render_venv / "bin" / "kubernetes-validate"), "--strict", "--kubernetes-version",
                            "1.35.0", *map(str, files)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    assert check.stdout.count("passed") == len(files), check.stdout
    # The check can fail: a pod whose uid is not a number is refused.
    broken = copy.deepcopy(rendered["pods"][STUDENTS[0]])
    broken["spec"]["containers"][0]["securityContext"]["runAsUser"] = "root"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    bad = subprocess.run([str(render_venv / "bin" / "kubernetes-validate"), "--strict", str(tmp_path / "broken.json")],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0, bad.stdout


def test_lms_login_overlay(render_venv: Path, users_file: Path) -> None:
    """values-lti13.yaml: valid chart values, every setting is a trait of LTI13Authenticator 1.6.3, and the pods are
    the same as with the OAuth login."""
    defaults = yaml.safe_load((K8S / "z2jh-default-values.yaml").read_text())
    merged = _merge(_merge(defaults, yaml.safe_load((K8S / "values.yaml").read_text())),
                    yaml.safe_load((K8S / "values-lti13.yaml").read_text()))
    jsonschema.validate(merged, yaml.safe_load((K8S / "z2jh-values.schema.yaml").read_text()))
    lti = merged["hub"]["config"]
    assert lti["JupyterHub"]["authenticator_class"] == "ltiauthenticator.lti13.auth.LTI13Authenticator"
    keys = sorted(lti["LTI13Authenticator"])
    probe = ("import json, sys\nfrom ltiauthenticator.lti13.auth import LTI13Authenticator as A\n"
             "print(json.dumps([k for k in json.loads(sys.argv[1]) if k not in A.class_trait_names(config=True)]))")
    out = subprocess.run([str(render_venv / "bin" / "python"), "-c", probe, json.dumps(keys)], capture_output=True,
                         text=True)
    assert out.returncode == 0 and json.loads(out.stdout) == [], out.stdout + out.stderr
    pods = _render(render_venv, [K8S / "values.yaml", K8S / "values-lti13.yaml", users_file], [STUDENTS[0]])
    assert pods.returncode == 0, pods.stderr[-2000:]


def test_k8s_users_keeps_uids_stable_and_never_reuses_one(tmp_path: Path) -> None:
    from tests.support.hub import hub_module

    hub = hub_module()
    roster = tmp_path / "r.csv"
    roster.write_text("id,first_name,last_name,email\ns001,A,B,a@x\ns002,C,D,c@x\n")
    first = hub.k8s_users(roster, ["drdiaz"])
    assert first["custom"]["osteonecrosis"]["uids"] == {"drdiaz": 20000, "s001": 20001, "s002": 20002}
    (tmp_path / "prev.json").write_text(json.dumps(first))
    roster.write_text("id,first_name,last_name,email\ns002,C,D,c@x\ns003,E,F,e@x\n")  # s001 left, s003 joined
    second = hub.k8s_users(roster, ["drdiaz"], tmp_path / "prev.json")["custom"]["osteonecrosis"]
    assert second["uids"] == {"drdiaz": 20000, "s002": 20002, "s003": 20003}
    assert second["retired_uids"] == [20001]
    with pytest.raises(hub.HubError, match="listed twice"):
        hub.k8s_users(roster, ["s002"])


# ------------------------------------------------------------------------------------------------ the image
def test_dockerfile_passes_hadolint(render_venv: Path, tmp_path: Path) -> None:
    hadolint = str(render_venv / "bin" / "hadolint")
    ok = subprocess.run([hadolint, "--config", str(K8S / ".hadolint.yaml"), str(K8S / "Dockerfile")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "Dockerfile").write_text("FROM debian:latest\nRUN cd /tmp && apt-get install -y git\n")
    bad = subprocess.run([hadolint, "--config", str(K8S / ".hadolint.yaml"), str(tmp_path / "Dockerfile")],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "DL3007" in bad.stdout, bad.stdout  # the lint can fail


def test_image_has_git_make_bubblewrap_and_the_course_tools() -> None:
    text = " ".join(_dockerfile_logical_lines())
    apt = re.findall(r"apt-get install[^&]*", text)[-1]
    for package in ("git", "make", "bubblewrap", "python3", "tini"):
        assert re.search(rf"\b{package}\b", apt), f"the image does not install {package}"
    assert 'RUN sh /tmp/python-layer.sh "$VIRTUAL_ENV"' in text
    layer = (K8S / "python-layer.sh").read_text()
    assert '"$src"' in layer and "classroom.grading.validate_message" in layer and "frame-ancestors 'self'" in layer
    assert "from classroom.grading.validate_message import install" in (K8S / "nbgrader_config.py").read_text()


@pytest.fixture(scope="module")
def python_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deploy/k8s/python-layer.sh run outside Docker, as the Dockerfile runs it, with Debian 12's python3."""
    inputs = [ROOT / "requirements.lock", K8S / "requirements-k8s.txt", K8S / "python-layer.sh",
              ROOT / "pyproject.toml",
              *sorted((ROOT / "course" / "classroom").rglob("*.py")),
              *sorted((ROOT / "course" / "osteonecrosis").rglob("*.py"))]

    def build(venv: Path) -> None:
        stage = tmp_path_factory.mktemp("image")
        shutil.copytree(ROOT / "course", stage / "src" / "course",
                        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__", "*.egg-info"))
        for f in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / f, stage / "src" / f)
        (stage / "pins").mkdir()
        shutil.copy2(ROOT / "requirements.lock", stage / "pins")
        shutil.copy2(K8S / "requirements-k8s.txt", stage / "pins")
        # Without pip's byte-compilation (tests/support/pip_env.py): the image's Python would do it on first import;
        # the layer built and checked is the same
        run = subprocess.run(["sh", str(K8S / "python-layer.sh"), str(venv), str(stage / "src"), str(stage / "pins")],
                             capture_output=True, text=True, timeout=2400, env={**os.environ, **NO_BYTE_COMPILE})
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    return _cached_venv("k8s-image-layer", inputs, build)


def test_image_python_layer_builds_outside_docker(python_layer: Path, tmp_path: Path) -> None:
    bin_dir = python_layer / "bin"
    version = subprocess.run([str(bin_dir / "jupyterhub-singleuser"), "--version"], capture_output=True, text=True)
    assert version.stdout.strip().startswith("5.5.0"), version.stdout + version.stderr
    tools = subprocess.run([str(bin_dir / "grade-class"), "--help"], capture_output=True, text=True)
    assert tools.returncode == 0 and "usage: grade-class" in tools.stdout
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    # What jupyterhub-singleuser's server would load: formgrader off for everyone, on in an instructor's pod (its
    # JUPYTER_CONFIG_PATH), and frames from the lab's own origin only.
    probe = ("import json\nfrom jupyter_server.serverapp import ServerApp\n"
             "a = ServerApp(); a.load_config_file(); a.find_server_extensions()\n"
             "print(json.dumps([a.jpserver_extensions.get('nbgrader.server_extensions.formgrader'), "
             "a.tornado_settings['headers']['Content-Security-Policy']]))")
    for config_path, formgrader in (("", False), (str(K8S / "instructor-config"), True)):
        seen = subprocess.run([str(bin_dir / "python"), "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                              env={**env, "JUPYTER_CONFIG_PATH": config_path})
        assert seen.returncode == 0, seen.stderr[-2000:]
        assert json.loads(seen.stdout.strip().splitlines()[-1]) == [formgrader, "frame-ancestors 'self'"], seen.stdout
    server = json.loads((python_layer / "etc" / "jupyter" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["tornado_settings"]["headers"]["Content-Security-Policy"] == "frame-ancestors 'self'"
    overrides = python_layer / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(overrides.read_text()) == json.loads((ROOT / "course" / "app" / "lab-overrides.json").read_text())
    probe = subprocess.run([str(bin_dir / "python"), "-c", "import classroom.grading.validate_message, osteonecrosis"],
                           capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
