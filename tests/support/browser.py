"""Real servers and a real browser for tests: JupyterLab or Voila on a free localhost port, driven by
Playwright in Debian's Chromium (never Playwright's own browser download).

Usage (one server per test module keeps the suite lean)::

    from tests.support import browser

    @pytest.fixture(scope="module")
    def lab(tmp_path_factory):
        with browser.jupyter_lab(root=browser.temp_copy(tmp_path_factory.mktemp("lab"), ["course"])) as server:
            yield server                        # server.url("lab/tree/x.ipynb") adds the token

    def test_x(lab):
        with browser.chromium() as page:         # a fresh page in headless Chromium
            page.goto(lab.url("lab/tree/course/08_case_simulations.ipynb"))
            browser.run_all_cells(page)          # JupyterLab: Run > Run All Cells, waits for an idle kernel

Chromium missing: :func:`require_chromium` FAILS the test in CI (env CI=true) and skips it, with the reason,
elsewhere. Servers are started with a random token, are waited for with a bounded timeout, and are stopped
(process group) on exit; their logs are kept for failure messages.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
# Screenshots the browser tests take go to build/screenshots/ (git-ignored): a test run never rewrites the curated
# set committed in docs/screenshots/ (the README points there). To refresh that set, look at the new ones and copy
# those you want. COURSE_SCREENSHOTS=<folder> puts them elsewhere.
SCREENSHOTS = ROOT / "build" / "screenshots"


def screenshot_dir() -> Path:
    """Where :func:`save_png` writes: $COURSE_SCREENSHOTS, else build/screenshots/."""
    return Path(os.environ.get("COURSE_SCREENSHOTS") or SCREENSHOTS)


def require_chromium() -> str:
    """Path of Debian's chromium; fails in CI, skips (with the reason) elsewhere, when it is missing."""
    path = shutil.which("chromium")
    if path is None:
        reason = "Debian's chromium is not on PATH (tools/system_deps.sh installs it)"
        if IN_CI:
            pytest.fail(reason + "; browser tests must not skip in CI")
        pytest.skip(reason)
    return path


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def temp_copy(dest: Path, paths: Sequence[str], root: Path = ROOT) -> Path:
    """Copy repository paths (files or folders) into ``dest`` so a server never writes into the repo."""
    for rel in paths:
        src = root / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(src, target)
    return dest


@dataclass
class Server:
    """A running server: its base URL, token and log file."""

    base: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str = "") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _wait_ready(url: str | None, port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Poll until the server answers (HTTP ``url``, or an open TCP port when ``url`` is None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if url is None:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    return
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def _serve(cmd: list[str], cwd: Path, port: int, token: str, ready_path: str | None, timeout: float,
           name: str) -> Iterator[Server]:
    log = Path(cwd) / f".{name}-{port}.log"
    env = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1", "PYTHONUNBUFFERED": "1"}
    if (Path(cwd) / ".lab-settings").is_dir():
        env["JUPYTERLAB_SETTINGS_DIR"] = str(Path(cwd) / ".lab-settings")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", token, proc, log)
    try:
        _wait_ready(None if ready_path is None else server.url(ready_path), port, proc, log, timeout)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _root_flag() -> list[str]:
    """Jupyter refuses to run as root without --allow-root (CI containers run as root)."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@contextlib.contextmanager
def jupyter_lab(root: Path, timeout: float = 120, extra_args: Sequence[str] = (),
                quiet_news: bool = True) -> Iterator[Server]:
    """JupyterLab serving ``root`` on a free localhost port with a random token. ``quiet_news=False`` leaves
    the news and update checks to the installed settings (to test the course's own override)."""
    port, token = free_port(), secrets.token_hex(16)
    # Render every cell (JupyterLab 4 windowing would leave off-screen outputs out of the page).
    settings = Path(root) / ".lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text('{"windowingMode": "none"}')
    cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
           "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True", *_root_flag(),
           *extra_args]
    if quiet_news:
        cmd += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with _serve(cmd, root, port, token, "api/status", timeout, "jupyterlab") as server:
        yield server


@contextlib.contextmanager
def voila(notebook: Path, cwd: Path, timeout: float = 120) -> Iterator[Server]:
    """Voila serving one notebook (code hidden) on a free localhost port with a random token."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [str(VENV_BIN / "voila"), str(notebook), f"--port={port}", "--no-browser", "--strip_sources=True",
           "--Voila.ip=127.0.0.1", f"--token={token}"]
    with _serve(cmd, cwd, port, token, None, timeout, "voila") as server:
        yield server


@contextlib.contextmanager
def chromium(viewport: tuple[int, int] = (1400, 1000), default_timeout_ms: int = 60_000) -> Iterator[Any]:
    """A fresh page in headless Debian Chromium (Playwright, executable_path = shutil.which('chromium'))."""
    with people(viewport, default_timeout_ms) as person, person() as page:
        yield page


@contextlib.contextmanager
def people(viewport: tuple[int, int] = (1400, 1000),
           default_timeout_ms: int = 60_000) -> Iterator[Callable[[], contextlib.AbstractContextManager[Any]]]:
    """For a test that plays several people one after another: one Playwright driver and one Chromium, and
    ``with person() as page`` gives, each time, a page in a browser context of its own (its own cookies, storage
    and cache, closed at the end of the block), as :func:`chromium` does, without starting the driver and the
    browser again (about 1.7 CPU-s a start)."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)

        @contextlib.contextmanager
        def person() -> Iterator[Any]:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            try:
                page = context.new_page()
                page.set_default_timeout(default_timeout_ms)
                yield page
            finally:
                context.close()

        try:
            yield person
        finally:
            browser.close()


# Texts of widget controls that do not fit their box (a dropdown's chosen option, a check box's or a control's
# label), given the root element of a widget; [] when every text shows in full.
CUT_TEXT_JS = """(box) => [...box.querySelectorAll('.widget-dropdown select, .widget-checkbox .widget-label-basic, '
    + '.widget-checkbox label, .widget-inline-hbox > .widget-label')]
    .filter(e => e.offsetParent !== null)
    .filter(e => e.tagName === 'SELECT'
        ? (() => { const c = document.createElement('canvas').getContext('2d');
                   c.font = getComputedStyle(e).font;
                   return c.measureText(e.options[e.selectedIndex].text).width + 24 > e.clientWidth; })()
        : e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName === 'SELECT' ? e.options[e.selectedIndex].text : e.textContent)"""


def block_network(page: Any, allow_hosts: Sequence[str] = ()) -> list[str]:
    """Cut the page's browser context off the network: every request that is not a ``file:`` URL (or to one
    of ``allow_hosts``, e.g. a localhost server) is aborted. Returns the list the blocked URLs are added to,
    so a test can assert that a page never even tried to reach the internet."""
    from urllib.parse import urlsplit

    blocked: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:")) or urlsplit(url).hostname in allow_hosts:
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.context.route("**/*", route)
    return blocked


def drag_slider(page: Any, slider: Any, fraction: float) -> None:
    """Drag an ipywidgets slider's handle with the mouse to ``fraction`` (0..1) of its track."""
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target, .slider-container").first
    hb, tb = handle.bounding_box(), track.bounding_box()
    assert hb and tb and tb["width"] > 0, "the slider has no track to drag"
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(tb["x"] + fraction * tb["width"], hb["y"] + hb["height"] / 2, steps=8)
    page.mouse.up()


def save_png(page_or_locator: Any, name: str, full_page: bool = False) -> Path:
    """A screenshot in build/screenshots/ (git-ignored; the curated copies in docs/screenshots/ are left alone)."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    kwargs = {"full_page": True} if full_page else {}
    page_or_locator.screenshot(path=str(path), **kwargs)
    return path


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (git-ignored) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# ------------------------------------------------------------------------------------------- JupyterLab
KERNEL_IDLE_JS = """() => {
    const bar = [...document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-GroupItem')]
        .map(e => e.textContent || '').join(' ');
    return /\\bIdle\\b/.test(bar);
}"""
ALL_CELLS_RUN_JS = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(p => (p.textContent || '').trim());
    return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
}"""


# How often a long wait asks the page (ms). Playwright's default asks on every animation frame, which keeps a
# headless Chromium drawing frames for the whole wait (about 0.07 of a core, measured); a person would not notice
# a quarter of a second.
POLL_MS = 250


def wait_kernel_idle(page: Any, timeout_ms: int = 180_000) -> None:
    """Wait (bounded) until the status bar reports the kernel Idle."""
    page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout_ms, polling=POLL_MS)


def open_notebook(page: Any, server: Server, path: str, timeout_ms: int = 120_000) -> None:
    """Open a notebook in JupyterLab and wait until its cells are shown and its kernel is idle.

    ``?reset`` starts from an empty workspace, so tabs left open by an earlier test are not restored."""
    page.goto(server.url(f"lab/tree/{path}?reset"))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)


def run_command(page: Any, command: str, args: dict[str, Any] | None = None) -> Any:
    """Execute a JupyterLab command (the server exposes the app as ``window.jupyterapp``)."""
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=120_000)
    return page.evaluate("([c, a]) => window.jupyterapp.commands.execute(c, a)", [command, args or {}])


def run_all_cells(page: Any, timeout_ms: int = 300_000) -> None:
    """JupyterLab: run every cell of the open notebook; wait (bounded) until every code cell has an
    execution count and the kernel is idle again."""
    page.locator(".jp-Notebook:visible").first.click()
    run_command(page, "notebook:run-all-cells")
    page.wait_for_function(ALL_CELLS_RUN_JS, timeout=timeout_ms, polling=POLL_MS)
    wait_kernel_idle(page, timeout_ms)


VALIDATION_JS = """() => {
    const box = document.querySelector('#validation-message');
    if (!box) return null;
    const success = [...box.querySelectorAll('p')].filter(p => p.innerText.includes('Success!'));
    return {classes: [...box.classList], text: box.innerText,
            before: getComputedStyle(box, '::before').content,
            success_shown: success.some(p => p.getClientRects().length > 0)};
}"""


def validate(page: Any, timeout_ms: int = 300_000) -> dict[str, Any]:
    """Click the open notebook's Validate button (nbgrader's lab extension) and read its dialog: its classes
    (validation-success / -failed ...), its text, the stylesheet's ``::before`` text, whether "Success!" shows."""
    page.locator(".validate-button button:visible, button.validate-button:visible").first.click()
    page.wait_for_selector("#validation-message", timeout=timeout_ms)
    return page.evaluate(VALIDATION_JS)
