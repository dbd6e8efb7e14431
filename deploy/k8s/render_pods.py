"""Render, without a cluster, the pods (and home volume claims) that Zero to JupyterHub's hub would create from
deploy/k8s/values.yaml: the chart's own hub configuration (z2jh-4.4.0/jupyterhub_config.py, copied unchanged) runs
over the chart's default values merged with ours, and KubeSpawner (the chart's 7.0.0) builds each user's manifest
with its own pre-spawn hook and uid callable, exactly as in the hub pod, only with no Kubernetes API to send it to.

    python deploy/k8s/render_pods.py --values deploy/k8s/values.yaml --values users.yaml alice bob drdiaz

Prints JSON: {"pods": {user: pod manifest}, "pvcs": {user: claim manifest}}. Runs in an environment with the
hub image's packages (jupyterhub, jupyterhub-kubespawner, kubernetes-asyncio; deploy/k8s/requirements-render.txt).
A user the hub would refuse prints one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CHART = HERE / "z2jh-4.4.0"
RELEASE = "mronj"  # the Helm release name (and namespace) of docs/hub.md's commands
CHART_VERSION = "4.4.0"


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of a values file over another: mappings merge, everything else is replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def chart_values(files: list[Path]) -> dict[str, Any]:
    values = yaml.safe_load((HERE / "z2jh-default-values.yaml").read_text())
    for f in files:
        values = merge(values, yaml.safe_load(f.read_text()) or {})
    # What the chart's hub Secret adds to the values (templates/hub/secret.yaml).
    values["Chart"] = {"Name": "jupyterhub", "Version": CHART_VERSION, "AppVersion": "5.5.0"}
    values["Release"] = {"Name": RELEASE, "Namespace": RELEASE, "Service": "Helm"}
    return values


def hub_config(values: dict[str, Any]) -> Any:
    """The traitlets config the chart's hub pod would load (its jupyterhub_config.py, our values and extraConfig).
    What only a cluster has (secrets, service names and ports) is given placeholder values."""
    from tornado.httpclient import AsyncHTTPClient
    from traitlets.config.loader import PyFileConfigLoader

    spec = importlib.util.spec_from_file_location("z2jh", CHART / "z2jh.py")
    assert spec and spec.loader
    z2jh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(z2jh)
    z2jh._load_config = lambda: values
    z2jh._get_config_value = lambda key: f"{RELEASE}-{key}"
    z2jh.get_secret_value = lambda key, default="never-explicitly-set": "00" * 32
    sys.modules["z2jh"] = z2jh
    for name in ("proxy-api", "hub", "proxy-public"):
        os.environ.setdefault(f"{RELEASE}-{name}_SERVICE_PORT".upper().replace("-", "_"), "8081")
    os.environ.setdefault("POD_NAMESPACE", RELEASE)
    # The hub pod's curl HTTP client is not needed to build manifests.
    AsyncHTTPClient.configure = classmethod(lambda cls, *a, **k: None)  # type: ignore[method-assign]
    with contextlib.redirect_stdout(sys.stderr):  # the chart's config reports what it loads on stdout
        return PyFileConfigLoader("jupyterhub_config.py", path=str(CHART)).load_config()


async def _render(config: Any, users: list[str]) -> dict[str, dict[str, Any]]:
    import kubespawner.spawner
    from jupyterhub.utils import maybe_future
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    # No Kubernetes API: the spawner's client is never made (building a manifest does not use it).
    kubespawner.spawner.load_config = lambda **kw: None
    kubespawner.spawner.shared_client = lambda name: None
    api = ApiClient()
    out: dict[str, dict[str, Any]] = {"pods": {}, "pvcs": {}}
    hub = SimpleNamespace(public_host="", url="http://hub:8081/hub/", base_url="/hub/",
                          api_url="http://hub:8081/hub/api")
    try:
        for i, name in enumerate(users):
            user = SimpleNamespace(name=name, id=i + 1, url=f"/user/{name}/", escaped_name=name, spawners={})
            spawner = KubeSpawner(_mock=True, config=config, user=user, hub=hub)
            spawner.api_token = "0" * 32
            await maybe_future(spawner.run_pre_spawn_hook())  # as JupyterHub calls it
            pod = await spawner.get_pod_manifest()
            out["pods"][name] = api.sanitize_for_serialization(pod)
            if spawner.storage_pvc_ensure:
                out["pvcs"][name] = api.sanitize_for_serialization(spawner.get_pvc_manifest())
    finally:
        await api.close()
    return out


def render(value_files: list[Path], users: list[str]) -> dict[str, dict[str, Any]]:
    return asyncio.run(_render(hub_config(chart_values(value_files)), users))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=Path, action="append", required=True, help="a Helm values file (repeat)")
    parser.add_argument("users", nargs="+")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(render(args.values, args.users), indent=1, sort_keys=True))
    except (KeyError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
