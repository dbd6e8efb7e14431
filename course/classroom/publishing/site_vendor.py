"""The course website's third-party scripts, served from the site itself so that it works offline.

- require.js: the copy shipped inside the pinned ``voila`` Python package.
- the Jupyter widgets HTML manager (renders saved widget state) and lunr (search): npm packages fetched once
  with ``npm pack`` at pinned versions, checked against pinned sha512 integrity hashes, and kept in a cache
  folder (``build/site-cache/npm``), so later builds need no network at all.

Nothing here is loaded from a CDN at reading time.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path


class VendorError(RuntimeError):
    """A vendored asset could not be found, fetched or checked. The message is one line."""


@dataclass(frozen=True)
class NpmAsset:
    """Files taken from one pinned npm package (paths inside its ``package/`` folder; a trailing ``*`` glob
    allowed) and the folder of the site they go to."""

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]
    dest: tuple[str, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


# The HTML manager matching ipywidgets 8.1 (widget state version 2). Its bundle asks for its icon fonts both
# under ``@jupyter-widgets/html-manager/dist/`` and ``@jupyter-widgets/`` relative to the page, so the files
# are put in both places (at the site's top level, where the pages are).
HTML_MANAGER = NpmAsset(
    "@jupyter-widgets/html-manager", "1.0.15",
    "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
    ("dist/embed-amd.js", "dist/*.woff2", "dist/*.woff", "dist/*.ttf", "dist/*.eot", "dist/*.svg",
     "dist/embed.js.LICENSE.txt", "package.json"),
    ("@jupyter-widgets/html-manager/dist", "@jupyter-widgets"))
LUNR = NpmAsset(
    "lunr", "2.3.9",
    "sha512-zTU3DaZaF3Rt9rhN3uBMGQD3dD2/vFQqnvZCDv4dl5iOzq2IZQqTxu90r4E5J+nP70J3ilqVCrbho2eWaeW8Ow==",
    ("lunr.min.js", "LICENSE"), ("_static/vendor",))
NPM_ASSETS = (HTML_MANAGER, LUNR)

REQUIRE_JS = "_static/vendor/require.min.js"
WIDGET_RENDERER = "@jupyter-widgets/html-manager/dist/embed-amd.js"


def voila_require_js() -> Path:
    """require.js as shipped by the installed voila package."""
    candidates = [Path(sys.prefix) / "share/jupyter/voila/templates/base/static/require.min.js"]
    try:
        from jupyter_core.paths import jupyter_path

        candidates += [Path(p) / "voila/templates/base/static/require.min.js" for p in jupyter_path()]
    except ImportError:  # pragma: no cover - jupyter_core comes with every Jupyter install
        pass
    for c in candidates:
        if c.is_file():
            return c
    raise VendorError("require.min.js not found in the voila package (run make setup)")


def fetch_npm(asset: NpmAsset, cache: Path) -> Path:
    """The package tarball in ``cache``, fetched with ``npm pack`` if missing; its integrity is checked.

    ``npm pack`` writes into a private folder and the tarball is moved into the cache in one step, so two
    builds sharing a cache (parallel test workers, two instructors) never read a half-written file."""
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / asset.tarball
    if not tgz.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise VendorError(f"npm is needed once to fetch {asset.spec} (apt-get install npm), "
                              f"or put {asset.tarball} in {cache}")
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=cache) as private:
            proc = subprocess.run([npm, "pack", asset.spec, "--silent", "--pack-destination", private],
                                  capture_output=True, text=True, timeout=300)
            fetched = Path(private) / asset.tarball
            if proc.returncode != 0 or not fetched.is_file():
                last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                raise VendorError(f"npm pack {asset.spec} failed: {last}")
            os.replace(fetched, tgz)
    _checked_bytes(asset, tgz)
    return tgz


def _checked_bytes(asset: NpmAsset, tgz: Path) -> bytes:
    """The tarball's bytes, read once, after their integrity is checked (a bad file is removed)."""
    data = tgz.read_bytes()
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != asset.integrity:
        tgz.unlink(missing_ok=True)
        raise VendorError(f"{asset.tarball}: integrity mismatch (expected {asset.integrity[:20]}..., "
                          f"got {got[:20]}...); the file was removed")
    return data


def _extract(asset: NpmAsset, tgz: Path, out: Path) -> list[Path]:
    written: list[Path] = []
    with tarfile.open(fileobj=io.BytesIO(_checked_bytes(asset, tgz)), mode="r:gz") as tar:
        members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
        for pattern in asset.files:
            folder, _, leaf = pattern.rpartition("/")
            hits = [n for n in members if n.rpartition("/")[0] == folder
                    and Path(n).match(leaf)] if "*" in leaf else [pattern] if pattern in members else []
            if not hits:
                raise VendorError(f"{asset.spec}: no file {pattern} in the package")
            for name in hits:
                fh = tar.extractfile(members[name])
                assert fh is not None
                data = fh.read()
                for folder_name in asset.dest:
                    target = out / folder_name / Path(name).name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    written.append(target)
    return written


def install(out: Path, cache: Path) -> list[Path]:
    """Copy every vendored asset into the site folder ``out``; return the files written."""
    written = []
    for asset in NPM_ASSETS:
        written += _extract(asset, fetch_npm(asset, cache), out)
    req = out / REQUIRE_JS
    req.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(voila_require_js(), req)
    written.append(req)
    return written
