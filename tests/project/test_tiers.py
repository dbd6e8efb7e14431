"""The test tiers (tests/conftest.py): the fast tier's guard refuses what only the slow tier may do, the marks
split the suite in two without overlap, and new test files land in the right tier by the helpers they use."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import types
from collections.abc import Iterator

import pytest

from tests import conftest
from tests.conftest import _GUARD, HEAVY, ROOT, FastTierViolation, marks_for


@contextlib.contextmanager
def refused(match: str) -> Iterator[None]:
    """Expect the guard to refuse; then forget the refusal (it was this test's point, not a fault)."""
    with pytest.raises(FastTierViolation, match=match):
        yield
    assert any(match in s for s in _GUARD.seen), _GUARD.seen
    _GUARD.seen.clear()


def test_the_fast_tier_is_guarded_while_this_test_runs():
    assert _GUARD.armed


def test_a_process_is_refused():
    with refused("starts a process"):
        subprocess.run(["true"], check=False)


def test_a_network_socket_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, refused("uses the network"):
        s.bind(("127.0.0.1", 0))


def test_a_write_into_the_repository_is_refused():
    with refused("writes into the repository"):
        open(ROOT / "tier-guard-probe.txt", "w")  # noqa: SIM115 - refused before anything is created
    assert not (ROOT / "tier-guard-probe.txt").exists()


def test_a_new_folder_inside_the_repository_is_refused():
    with refused("changes the repository"):
        (ROOT / "no-such-dir-for-the-guard").mkdir()


def test_a_swallowed_refusal_is_still_recorded():
    try:
        subprocess.run(["true"], check=False)
    except Exception:  # noqa: BLE001 - what careless code does; the report still fails the test
        pass
    assert any("starts a process" in s for s in _GUARD.seen)
    _GUARD.seen.clear()


def test_temporary_files_unix_sockets_and_reading_are_allowed(tmp_path):
    (tmp_path / "x.txt").write_text("ok")
    assert (ROOT / "pyproject.toml").read_text()
    a, b = socket.socketpair(socket.AF_UNIX)
    a.close()
    b.close()
    assert not _GUARD.seen


def _fake_item(module_name: str, test_name: str, module_globals: dict, fixtures=()) -> types.SimpleNamespace:
    module = types.ModuleType(f"tests.{module_name}")
    vars(module).update(module_globals)
    return types.SimpleNamespace(module=module, name=test_name, originalname=test_name, fixturenames=list(fixtures))


def test_a_new_file_without_servers_is_fast_and_one_using_a_helper_is_not():
    from tests.support import browser, postgres

    assert marks_for(_fake_item("test_new_thing", "test_x", {"json": __import__("json")})) == set()
    assert "browser" in marks_for(_fake_item("test_new_ui", "test_x", {"browser": browser}))
    assert "postgres" in marks_for(_fake_item("test_new_db", "test_x", {"start": postgres.__dict__.get("postgres",
                                                                                                         postgres)}))
    assert "slow" in marks_for(_fake_item("test_new_cli", "test_x", {}, fixtures=["run_python"]))
    assert "slow" in marks_for(_fake_item("test_cli", "test_smoke_anything", {}))
    assert "slow" in marks_for(_fake_item("test_plan", "test_cli_new_case", {}))


def test_every_cost_mark_is_registered_and_implies_slow(pytestconfig):
    registered = {line.split(":", 1)[0] for line in pytestconfig.getini("markers")}
    assert {"slow", *HEAVY} <= registered
    for marks in (*conftest.SUPPORT_MARKS.values(), *conftest.FIXTURE_MARKS.values(), *conftest.NAMED_MARKS.values()):
        assert set(marks) <= registered


INNER = '''
import subprocess
import pytest

def test_swallows_a_process():
    try:
        subprocess.run(["true"])
    except Exception:
        pass

@pytest.mark.slow
def test_marked_slow_may_start_one():
    subprocess.run(["true"], check=True)

def test_plain_and_fast():
    assert 1 + 1 == 2
'''


def test_an_unmarked_test_that_starts_a_process_fails_the_run(run_python, tmp_path):
    """A real pytest session with the course's conftest: the careless fast test fails, the marked one passes."""
    (tmp_path / "test_inner.py").write_text(INNER)
    done = run_python("-m", "pytest", "-p", "tests.conftest", "-q", "--no-header", "-p", "no:cacheprovider",
                      "--rootdir", str(tmp_path), "-c", "/dev/null", "-o", "markers=slow", str(tmp_path),
                      timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED" in done.stdout and "test_swallows_a_process" in done.stdout
    assert "fast-tier guard" in done.stdout and "starts a process" in done.stdout
    assert "2 passed" in done.stdout and "1 failed" in done.stdout


DIRTY = '''
import pytest
from tests.conftest import ROOT

@pytest.mark.slow
def test_leaves_a_file_in_the_repository():
    (ROOT / "tier-dirty-probe.txt").write_text("left behind")
'''


def test_a_run_that_leaves_the_tree_dirty_fails(run_python, tmp_path):
    """Every test passes, but one left a file git would take: the session fails and names the file."""
    (tmp_path / "test_dirty.py").write_text(DIRTY)
    probe = ROOT / "tier-dirty-probe.txt"
    try:
        done = run_python("-m", "pytest", "-p", "tests.conftest", "-q", "--no-header", "-p", "no:cacheprovider",
                          "--rootdir", str(tmp_path), "-c", "/dev/null", "-o", "markers=slow", str(tmp_path),
                          timeout=300)
    finally:
        probe.unlink(missing_ok=True)
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    assert "left the git tree changed" in done.stdout and "tier-dirty-probe.txt" in done.stdout


GROUPED = '''
import os, time
from pathlib import Path
import pytest

LOG = Path(os.environ["GROUP_PROBE_LOG"])

def note(*words):
    with open(LOG, "a") as fh:
        fh.write(" ".join([os.environ.get("PYTEST_XDIST_WORKER", "-"), *map(str, words)]) + "\\n")

@pytest.fixture(scope="module", params=["a", "b", "c"])
def built(request):
    note("setup", request.param)
    time.sleep(0.3)
    return request.param

@pytest.mark.slow
@pytest.mark.parametrize("n", range(4))
def test_uses_it(built, n):
    note("test", built)
    time.sleep(0.1)

@pytest.mark.slow
@pytest.mark.parametrize("n", range(8))
def test_alone(n):
    time.sleep(0.1)
'''


def test_a_group_runs_on_one_worker_and_builds_its_fixture_once(run_python, tmp_path):
    """The real thing, not the rule: a pytest session with the course's conftest on two xdist workers. Each value
    of a module fixture is built once, and all its tests run on the worker that built it. (pytest 9 with
    pytest-xdist 3.8 ignored every group: the round trip's class was graded twice, 32 min of CPU.)"""
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    log = tmp_path / "probe.log"
    done = run_python("-m", "pytest", "-p", "tests.conftest", "-q", "--no-header", "-p", "no:cacheprovider",
                      "--rootdir", str(tmp_path), "-c", "/dev/null", "-o", "markers=slow",
                      "-n", "2", "--dist", "loadgroup", str(tmp_path), timeout=300,
                      env={**os.environ, "GROUP_PROBE_LOG": str(log)})
    assert done.returncode == 0 and "20 passed" in done.stdout, done.stdout + done.stderr
    lines = [ln.split() for ln in log.read_text().splitlines()]
    setups = sorted((value, worker) for worker, what, value in lines if what == "setup")
    assert [v for v, _ in setups] == ["a", "b", "c"], f"a fixture value built more than once: {setups}"
    for value, worker in setups:
        ran = {w for w, what, v in lines if what == "test" and v == value}
        assert ran == {worker}, f"the tests of {value!r} ran on {ran}, its fixture was built on {worker}"


def test_screenshots_go_to_the_build_folder_not_docs(monkeypatch):
    from tests.support import browser

    monkeypatch.delenv("COURSE_SCREENSHOTS", raising=False)
    assert browser.screenshot_dir() == ROOT / "build" / "screenshots"
    assert "build/" in (ROOT / ".gitignore").read_text().splitlines()


def test_ci_runs_the_fast_tier_first_then_the_rest_once():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 0 <= ci.index("make test-fast") < ci.index("make test-slow")
    makefile = (ROOT / "Makefile").read_text()
    fast = makefile.split("\ntest-fast:", 1)[1].split("\n\n", 1)[0]
    slow = makefile.split("\ntest-slow:", 1)[1].split("\n\n", 1)[0]
    assert '-m "not slow"' in fast and "-m slow" in slow  # complementary: every test in exactly one tier
    # the machine's speed is printed beside the tiers' times: before the first tier and after the last
    probes = [m.start() for m in re.finditer(r"-m benchmarks\.cpu_probe", ci)]
    assert len(probes) == 2 and probes[0] < ci.index("make test-fast") and probes[1] > ci.index("make test-slow")


def test_the_cpu_probe_prints_one_line_with_the_median_of_its_rounds(monkeypatch, capsys):
    from benchmarks import cpu_probe

    rounds = iter([0.9, 0.1, 0.3, 0.2, 0.5])
    monkeypatch.setattr(cpu_probe, "one_round", lambda: next(rounds))
    assert cpu_probe.main(["before", "the", "tests"]) == 0
    assert capsys.readouterr().out == ("== CPU probe (before the tests): 0.300 CPU-s for the fixed workload "
                                       "(median of 5; lower is faster)\n")


# -- parallel runs (pytest-xdist) --------------------------------------------------------------------------------
def _fixture_item(nodeid: str, scopes: dict[str, str]) -> types.SimpleNamespace:
    module_name, test_name = nodeid.split("::")
    item = _fake_item(module_name.rsplit("/", 1)[-1].removesuffix(".py"), test_name, {})
    defs = {name: [types.SimpleNamespace(scope=scope)] for name, scope in scopes.items()}
    item.nodeid, item._fixtureinfo = nodeid, types.SimpleNamespace(name2fixturedefs=defs)
    return item


def test_tests_sharing_a_module_fixture_or_the_machine_run_on_one_worker():
    from tests.conftest import SHARED_GROUPS, xdist_group_for

    shared = _fixture_item("tests/hub/test_hub_class.py::test_a_class_on_the_hub_end_to_end", {"tmp_path": "function"})
    assert xdist_group_for(shared) == SHARED_GROUPS["test_hub_class"] == SHARED_GROUPS["test_hub_remove_accounts"]
    module = _fixture_item("tests/x/test_graded.py::test_one", {"run": "module", "tmp_path": "function"})
    assert xdist_group_for(module) == "tests/x/test_graded.py"
    alone = _fixture_item("tests/x/test_graded.py::test_two", {"tmp_path": "function", "root": "session"})
    assert xdist_group_for(alone) is None  # may run beside anything, on any worker
    # a module fixture parametrised by assignment: one instance, so one group, per value (workers share them)
    per_value = [_fixture_item(f"tests/x/test_rt.py::test_{t}[{a}]", {"course": "module"}) for t in "ab" for a in "12"]
    for item, a in zip(per_value, "1212", strict=True):
        item.callspec = types.SimpleNamespace(params={"course": a})
    assert [xdist_group_for(i) for i in per_value] == [f"tests/x/test_rt.py:course={a}" for a in "1212"]


def test_under_xdist_the_longest_modules_start_first_and_each_keeps_its_order():
    from tests.conftest import LONGEST_FIRST, _longest_first

    names = ["test_zzz::a", f"{LONGEST_FIRST[1]}::a", "test_aaa::a", f"{LONGEST_FIRST[0]}::a", f"{LONGEST_FIRST[1]}::b",
             "test_zzz::b"]
    items = [_fake_item(n.split("::")[0], n.split("::")[1], {}) for n in names]
    _longest_first(items)
    assert [f"{i.module.__name__.rsplit('.', 1)[-1]}::{i.name}" for i in items] == [
        f"{LONGEST_FIRST[0]}::a", f"{LONGEST_FIRST[1]}::a", f"{LONGEST_FIRST[1]}::b", "test_zzz::a", "test_aaa::a",
        "test_zzz::b"]


def test_make_runs_the_tiers_on_xdist_workers_in_groups():
    makefile = (ROOT / "Makefile").read_text()
    assert "XDIST := -n $(TEST_WORKERS) --dist loadgroup" in makefile
    assert "XDIST_FAST := -n $(FAST_WORKERS) --dist loadgroup" in makefile
    assert "PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest" in makefile
    for target, xdist in (("test", "$(XDIST)"), ("test-fast", "$(XDIST_FAST)"), ("test-slow", "$(XDIST)")):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert xdist in recipe and "\t$(PYTEST) " in recipe, target  # bytecode kept (the Makefile says why)
