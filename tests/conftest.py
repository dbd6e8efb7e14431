"""Shared pytest configuration: the test tiers, the fast-tier guard, the clean-tree check.

Tiers by cost (README, "For developers"):

* fast (``make test-fast`` = ``pytest -m "not slow"``): unit, property and in-process CLI tests. No
  subprocess, no socket, no server, no browser, no root, nothing written into the repository.
* slow (``pytest -m slow``): everything else. ``browser``, ``root``, ``network``, ``nbgrader``, ``postgres``
  and ``notebooks`` each imply ``slow``, so ``-m slow`` and ``-m "not slow"`` split the suite in two without
  overlap and ``make test`` (no ``-m``) runs both.

Marks are given here, centrally, so a new test file lands in the right tier without anyone remembering to
mark it: by the markers it already has, by the test helpers its module uses (tests/support/browser.py means
``browser`` ...), by the fixtures it asks for, and by the few names listed below. A test left in the fast
tier that starts a process, opens a network socket or writes into the repository anyway fails, with a line
saying how to mark it (:class:`_FastTierGuard`). Helpers for real servers live in tests/support/.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Each of these costs a process, a server, a browser, root or the network: all of them are in the slow tier.
HEAVY = ("browser", "root", "network", "nbgrader", "postgres", "notebooks")

# A test module that uses one of these helpers gets these marks (and so ``slow``).
SUPPORT_MARKS: dict[str, tuple[str, ...]] = {
    "tests.support.browser": ("browser",),
    "tests.support.hub": ("root",),  # unix accounts and a real JupyterHub
    "tests.support.postgres": ("postgres",),
    "tests.support.nbgrader_course": ("nbgrader",),
    "tests.adversarial.course": ("nbgrader",),
    "websocket": ("slow",),
}

# A test asking for one of these fixtures (here or in its module) gets these marks.
FIXTURE_MARKS: dict[str, tuple[str, ...]] = {
    "run_python": ("slow",),
    "run_make": ("slow",),
}

# Tests that cost more than their helpers show: a module name, or "module::test" (fnmatch patterns; the
# parametrised id is left out).
NAMED_MARKS: dict[str, tuple[str, ...]] = {
    "test_instructor_guide": ("root",),  # creates unix accounts
    "test_hub_setup": ("root",),
    "test_hub_k8s": ("slow", "network"),  # builds environments from PyPI, runs kubespawner, hadolint, validators
    "test_grading_sandbox": ("root",),  # bubblewrap sandboxes, uids of their own
    "test_lint": ("slow",),  # ruff is a separate program
    "test_make_lab": ("slow",),  # runs make and JupyterLab
    "test_site": ("slow",),  # builds the site with nbconvert and kernels
    "test_answer_probe::test_wrong_forms_get_a_readable_line": ("slow",),  # runs each solution ~10 times
    "test_visible_catch::test_in_process_runs_say_what_a_kernel_says": ("notebooks",),  # kernels, as the student
    "test_environment::test_conda_pip_section_resolves_to_exactly_the_lock": ("network",),  # asks the index
    "test_cli::test_smoke_*": ("slow",),  # the real console script, in a process of its own
    "test_plan::test_cli_*": ("slow",),
    "test_risk::test_cli_*": ("slow",),
    "test_hub_student_release::test_cli_*": ("slow",),
    "test_validate_message::test_command_line_*": ("slow",),
    "test_validate_message::test_validator_reports_*": ("slow",),  # nbgrader's Validator runs a kernel
    # fast-tier budget (under 2 minutes): schema agreement on 1000 generated files each, and every wrong
    # submission re-made on 20 variants, run with the slow tier (the clinical invariants stay fast)
    "test_typed_core::test_model_and_published_schema_agree_on_*": ("slow",),
    "test_variants_ps2::test_every_wrong_submission_still_loses_points": ("slow",),
    # seals: the model answers run once in a kernel
    "test_seal::test_sealing_*": ("notebooks",),
    "test_seal::test_a_model_answer_that_never_reaches_*": ("notebooks",),
    "test_seal::test_the_agreement_probe_*": ("notebooks",),
    "test_seal_agreement": ("notebooks",),
}


# ------------------------------------------------------------------------------- parallel runs (pytest-xdist)
# `make test-slow` and `make test` run on one worker more than cores, `make test-fast` on one per core
# (``pytest -n N --dist loadgroup``, Makefile). Under loadgroup a
# test with an ``xdist_group`` mark goes to the same worker as every other test of its group, one after the other;
# a test without one may run beside any other. The groups are given here, centrally, like the tiers:
#
# * tests that share something of the machine that is not theirs alone (listed in SHARED_GROUPS): the hub's
#   unix groups and login-shell script, an inner pytest session that watches the git tree;
# * the tests of a module that share a module- or class-scoped fixture (a generated nbgrader course, a graded
#   class, a running server): one worker builds it once, as in a serial run, instead of once per worker.
#
# Everything else a test uses is its own (tmp_path, a free port, a sandbox uid claimed with a lock, the
# content-addressed seal cache written atomically), so it may run beside anything.
SHARED_GROUPS: dict[str, str] = {
    # tools/hub/hub.py's real setup: the course's unix groups (made, then deleted by the test that made them) and
    # the login-shell PATH script in /etc/profile.d: one at a time. (The instructor guide's student accounts
    # have names of their own and join no group: they may run beside these.)
    "test_hub_class": "hub-unix-groups",
    "test_hub_remove_accounts": "hub-unix-groups",
    # inner pytest sessions with the course's conftest: their clean-tree check must not see each other's probe
    "test_tiers::test_an_unmarked_test_that_starts_a_process_fails_the_run": "inner-pytest",
    "test_tiers::test_a_run_that_leaves_the_tree_dirty_fails": "inner-pytest",
    "test_tiers::test_a_group_runs_on_one_worker_and_builds_its_fixture_once": "inner-pytest",
}


# The slowest modules of the slow tier, longest first (minutes each on a quiet 2-core machine; `pytest -m slow
# --durations=0`). Under xdist their work is handed out first, so no long module starts last and finishes alone
# while the other workers idle. Only the order changes: never a test's verdict. A module not listed keeps its
# place after these.
LONGEST_FIRST: tuple[str, ...] = (
    "test_instructor_guide",  # two `make setup` from a fresh clone, `make check`, the whole guide as unix accounts
    "test_hub_class",  # a class hub set up (accounts, shared environment) and used in Chromium
    "test_student_journey",  # a student's fresh copy set up and opened
    "test_assignments_roundtrip",  # every assignment generated and every wrong submission autograded by nbgrader
    "test_grading_adversarial",  # the hostile corpus graded twice as a class
    "test_hub_k8s",  # environments built from the package index
    "test_nbgrader_autograde",  # the hostile corpus through plain `nbgrader autograde`
    "test_site",  # the whole course executed into the website, then read in Chromium
    "test_variants",
    "test_make_lab",
    "test_grading_class",
    "test_hub_remove_accounts",
    "test_notebooks",
    "test_browser_formgrader_hostile",
    "test_browser_nbgrader",
    "test_browser_simulations",
    "test_grading_guards",
)


def _longest_first(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place: modules of LONGEST_FIRST first, in that order; the rest as collected."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_item_key(item)[0], len(rank)))  # stable: a module keeps its own order


def xdist_group_for(item: pytest.Item) -> str | None:
    """The ``xdist_group`` the rules above give ``item`` (None: it may run beside any test)."""
    module, node = _item_key(item)
    for pattern, group in SHARED_GROUPS.items():
        if fnmatch.fnmatchcase(node if "::" in pattern else module, pattern):
            return group
    info = getattr(item, "_fixtureinfo", None)
    params = getattr(getattr(item, "callspec", None), "params", {})
    shared = [name for name, defs in (info.name2fixturedefs.items() if info is not None else ())
              if defs and defs[-1].scope in ("module", "class", "package")]
    if shared:  # the module's file; a parametrised shared fixture: one group per value (its own instance)
        values = [f"{name}={params[name]}" for name in shared if name in params]
        # (xdist reads the group after the last "@" and only when no "]" follows it: neither is in the name)
        tail = re.sub(r"[\]@]", "_", ",".join(values))
        return item.nodeid.split("::", 1)[0] + (f":{tail}" if values else "")
    return None


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _item_key(item: pytest.Item) -> tuple[str, str]:
    module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
    name = getattr(item, "originalname", None) or item.name.split("[", 1)[0]
    return module, f"{module}::{name}"


def _modules_used(module: types.ModuleType) -> set[str]:
    """Names of the modules a test module refers to (imported modules, and the modules of imported names)."""
    used = set()
    for value in vars(module).values():
        if isinstance(value, types.ModuleType):
            used.add(value.__name__)
        else:
            owner = getattr(value, "__module__", None)
            if isinstance(owner, str):
                used.add(owner)
    return used


def marks_for(item: pytest.Item) -> set[str]:
    """The cost marks the tier rules give ``item`` (besides those it carries already)."""
    out: set[str] = set()
    module, node = _item_key(item)
    for pattern, marks in NAMED_MARKS.items():
        if fnmatch.fnmatchcase(node if "::" in pattern else module, pattern):
            out.update(marks)
    if item.module is not None:
        used = _modules_used(item.module)
        for helper, marks in SUPPORT_MARKS.items():
            if any(u == helper or u.startswith(helper + ".") for u in used):
                out.update(marks)
    for fixture in getattr(item, "fixturenames", ()):
        out.update(FIXTURE_MARKS.get(fixture, ()))
    return out


class _WorkerPrints:
    """An xdist worker's stdout is /dev/null (its channel to the controller holds the real one), so what a test
    prints past the capture (``capsys.disabled()``: figures it measured) would be lost. While a test runs, the
    stdout that capture gives back when suspended is the worker's stderr, which the controller's terminal shows
    (outside tests it stays /dev/null: the worker's own session report is not for the terminal)."""

    def __init__(self) -> None:
        self.saved: int | None = None
        self.quiet: int | None = None
        self.config: pytest.Config | None = None
        self.stderr = 2

    def setup(self, config: pytest.Config) -> None:
        capman = config.pluginmanager.getplugin("capturemanager")
        out = getattr(getattr(capman, "_global_capturing", None), "out", None)
        saved = getattr(out, "targetfd_save", None)
        if isinstance(saved, int):
            self.saved, self.quiet = saved, os.dup(saved)
            self.stderr = os.dup(2)  # the real one (pytest captures fd 2 too while a test runs)
            self.config = config

    @contextlib.contextmanager
    def to_stderr(self) -> Iterator[None]:
        if self.saved is None or self.quiet is None:
            yield
            return
        self._flush()  # the worker's own progress dots stay in /dev/null
        os.dup2(self.stderr, self.saved)
        try:
            yield
        finally:
            self._flush()
            os.dup2(self.quiet, self.saved)

    def _flush(self) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter") if self.config else None
        with contextlib.suppress(Exception):
            reporter._tw.flush()
        with contextlib.suppress(Exception):
            sys.__stdout__.flush()


_WORKER_PRINTS = _WorkerPrints()


def pytest_configure(config: pytest.Config) -> None:
    if _is_xdist_worker(config):
        _WORKER_PRINTS.setup(config)
    elif getattr(config.option, "dist", "no") in ("loadgroup", "loadscope"):
        config.option.loadscopereorder = False  # the order is LONGEST_FIRST's, not the number of tests per group
    # An instructor's real course secret (~/mronj-private/course-secret) never changes what the suite sees: the
    # tests that need a secret write their own and point MRONJ_COURSE_SECRET_FILE at it.
    os.environ["MRONJ_COURSE_SECRET_FILE"] = str(Path(tempfile.gettempdir()) / "mronj-tests-no-course-secret")
    # Seals (classroom.authoring.seal) are cached by content: one cache for the whole run, outside the repository
    # and outside the fresh HOMEs tests make, so each solution notebook's model answers run once per content.
    os.environ.setdefault("MRONJ_SEAL_CACHE", str(Path(tempfile.gettempdir()) / f"mronj-tests-seals-{os.getuid()}"))
    # Hypothesis keeps its example database outside the repository (it would write .hypothesis/ in the cwd).
    try:
        from hypothesis import settings
        from hypothesis.database import DirectoryBasedExampleDatabase
    except ImportError:  # pragma: no cover - hypothesis is a dev dependency
        return
    from hypothesis.configuration import set_hypothesis_home_dir

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "osteonecrosis-course" / "hypothesis"
    set_hypothesis_home_dir(cache.with_name("hypothesis-home"))  # its other caches (constants) go there too
    settings.register_profile("course", database=DirectoryBasedExampleDatabase(str(cache)))
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))


@pytest.hookimpl(tryfirst=True)  # before -m deselects: the marks given here count for the selection
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for mark in sorted(marks_for(item) - {m.name for m in item.iter_markers()}):
            item.add_marker(mark)
        if any(item.get_closest_marker(m) for m in HEAVY) and not item.get_closest_marker("slow"):
            item.add_marker("slow")
        group = xdist_group_for(item)
        if group is not None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
    if _is_xdist_worker(config):  # every worker collects: each sorts the same way, the scheduler keeps the order
        _longest_first(items)


# ------------------------------------------------------------------------------------------ fast-tier guard
_PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                             "os.forkpty", "pty.spawn"})
_SOCKET_EVENTS = frozenset({"socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo",
                            "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"})
# Audited changes to paths: for each, (index of a path changed, index of its dir_fd or None). Copies write
# through "open".
_PATH_EVENTS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "os.mkdir": ((0, 2),), "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.rename": ((0, 2), (1, 3)),
    "os.truncate": ((0, None),), "os.symlink": ((1, 2),), "os.link": ((1, 3),), "os.chmod": ((0, 2),),
    "os.chown": ((0, 3),), "os.utime": ((0, 3),), "shutil.rmtree": ((0, 1),), "shutil.move": ((0, None), (1, None))}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# Caches Python and its tools keep beside the code (git-ignored; not the test's doing).
_CACHE_PARTS = frozenset({"__pycache__", ".pytest_cache", ".ruff_cache", ".venv"})


class FastTierViolation(RuntimeError):
    """A test in the fast tier did something only the slow tier may do."""


class _FastTierGuard:
    """An audit hook (PEP 578), armed only while a fast-tier test runs on the main thread's behalf.

    It refuses (raises :class:`FastTierViolation`) and records a process start, a socket connect/bind/lookup
    (unix sockets excepted) and a write, rename or removal inside the repository; the test then fails even if
    it swallowed the exception."""

    def __init__(self) -> None:
        self.armed = False
        self.seen: list[str] = []
        self._root = str(ROOT) + os.sep
        self._busy = threading.local()

    def _in_repo(self, path: object, dir_fd: object = None) -> bool:
        if isinstance(path, int) or path is None:
            return False
        try:
            text = os.fsdecode(path)
        except TypeError:
            return False
        if isinstance(dir_fd, int) and not os.path.isabs(text):
            try:
                text = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), text)
            except OSError:
                return False
        full = os.path.abspath(text)
        if not (full + os.sep).startswith(self._root):
            return False
        return not _CACHE_PARTS.intersection(Path(full).relative_to(ROOT).parts)

    def _writes(self, mode: object, flags: object) -> bool:
        if isinstance(mode, str) and mode:
            return any(c in mode for c in "wax+")
        return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)

    def __call__(self, event: str, args: tuple) -> None:
        if not self.armed or getattr(self._busy, "on", False):
            return
        problem = None
        if event in _PROCESS_EVENTS:
            problem = f"starts a process ({event} {_short(args)})"
        elif event in _SOCKET_EVENTS:
            if event in ("socket.connect", "socket.bind", "socket.sendto"):
                sock = args[0]
                if getattr(sock, "family", None) == getattr(socket, "AF_UNIX", None):
                    return
            problem = f"uses the network ({event} {_short(args[1:])})"
        elif event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            if self._writes(mode, flags) and self._in_repo(path):
                problem = f"writes into the repository ({path})"
        elif event in _PATH_EVENTS:
            if any(i < len(args) and self._in_repo(args[i], args[d] if d is not None and d < len(args) else None)
                   for i, d in _PATH_EVENTS[event]):
                problem = f"changes the repository ({event} {_short(args)})"
        if problem is None:
            return
        self._busy.on = True
        try:
            self.seen.append(problem)
        finally:
            self._busy.on = False
        raise FastTierViolation(f"fast-tier test {problem}: mark it (slow/browser/root/network/...) in "
                                "tests/conftest.py or use tmp_path")


def _short(args: tuple) -> str:
    text = " ".join(repr(a) for a in args if not isinstance(a, dict))
    return text if len(text) < 200 else text[:200] + "..."


_GUARD = _FastTierGuard()
sys.addaudithook(_GUARD)


def _is_fast(item: pytest.Item) -> bool:
    return item.get_closest_marker("slow") is None


@contextlib.contextmanager
def _armed_for(item: pytest.Item) -> Iterator[None]:
    """The fast-tier guard is armed while a fast test's setup, call or teardown runs."""
    _GUARD.armed = _is_fast(item)
    try:
        yield
    finally:
        _GUARD.armed = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    _GUARD.seen.clear()
    with _armed_for(item):
        yield


@pytest.hookimpl(hookwrapper=True, trylast=True)  # inside the capture plugin's wrapper: see _WorkerPrints
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _armed_for(item), _WORKER_PRINTS.to_stderr():
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    with _armed_for(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not _GUARD.seen:
        return
    if report.passed:  # the test swallowed the refusal (or it came from a thread): fail it all the same
        report.outcome = "failed"
        report.longrepr = ("fast-tier guard: this test is in the fast tier (no slow/browser/root/network/... mark) "
                           "but it\n  " + "\n  ".join(dict.fromkeys(_GUARD.seen)) +
                           f'\nGive it its cost mark (in tests/conftest.py NAMED_MARKS: "{_item_key(item)[1]}": '
                           '("slow",), or a more precise mark; or @pytest.mark.slow), or keep it in-process and '
                           "write under tmp_path.")
    _GUARD.seen.clear()


# ------------------------------------------------------------------------------------- the tree stays clean
def _git_status() -> str | None:
    """``git status --porcelain`` of the repository (git-ignored paths left out), or None without git."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    # Under xdist the controller looks, before the workers start and after they all end; a worker does not (it
    # would see what the other workers' tests have in hand).
    session.config.stash[_STATUS] = None if _is_xdist_worker(session.config) else _git_status()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_STATUS, None)
    if before is None or os.environ.get("COURSE_TESTS_ALLOW_DIRTY") == "1":
        return
    after = _git_status()
    if after is None or after == before:
        return
    old, new = set(before.splitlines()), set(after.splitlines())
    changed = sorted(new - old) + [f"(no longer) {line}" for line in sorted(old - new)]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    text = ("the tests left the git tree changed (a test wrote into the repository; write under tmp_path or "
            "build/):\n  " + "\n  ".join(changed) + "\n(files you edited yourself during the run count too: run "
            "again, or set COURSE_TESTS_ALLOW_DIRTY=1 to skip this check)")
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(text, red=True, bold=True)
    else:  # pragma: no cover
        print(text, file=sys.stderr)
    if session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_STATUS = pytest.StashKey[str | None]()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def run_python() -> object:
    """``run_python("-m", "pkg", ...)``: the test interpreter in a subprocess (puts the test in the slow tier)."""

    def run(*args: str, cwd: Path = ROOT, timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              **kwargs)

    return run


@pytest.fixture
def run_make() -> object:
    """``run_make("-n", "bench")``: make in the repository, as a user types it (puts the test in the slow tier)."""

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        shell = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
        return subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=shell)

    return run
