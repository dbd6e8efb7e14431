"""The course's nbgrader steps (classroom.grading.nbgrader_steps), in-process: what nbgrader_config.py sets is what
grade-class runs, the sandboxed step refuses to run student code without a sandbox, and the feedback steps leave
out hidden tests and active content. (A real ``nbgrader autograde`` run: test_nbgrader_autograde.py.)"""

from __future__ import annotations

import shutil

import pytest
from classroom.grading import executor, nbgrader_steps
from classroom.grading.executor import SandboxedExecute
from classroom.grading.sandbox import SandboxUnavailable
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbconvert.exporters import Exporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, Execute, SaveAutoGrades
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader
from traitlets.utils.importstring import import_item

from tests.conftest import ROOT


def _meta(grade_id: str, **flags) -> dict:
    return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "locked": flags.get("locked", True),
                         "solution": flags.get("solution", False), "grade": flags.get("grade", False),
                         **({"points": 1} if flags.get("grade") else {})}}


def test_the_config_names_exactly_the_steps_grade_class_runs():
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    for (section, key), steps in nbgrader_steps.CONFIG.items():
        assert all(isinstance(name, str) for name in cfg[section][key]), "named by path: no silent fallback"
        assert [import_item(name) for name in cfg[section][key]] == steps(), f"{section}.{key}"


def test_the_sandboxed_step_replaces_nbgraders_execute():
    steps = nbgrader_steps.autograde_preprocessors()
    assert steps[0] is SandboxedExecute and issubclass(SandboxedExecute, Execute)
    assert not any(s is Execute for s in steps)
    assert AssignLatePenalties in steps and AssignLatePenalties not in nbgrader_steps.after_execute()
    after = nbgrader_steps.after_execute()
    assert SandboxedExecute not in after
    assert after.index(nbgrader_steps.NeutraliseActiveContent) > after.index(SaveAutoGrades)


def test_nbgrader_can_build_every_step_from_the_config():
    """nbgrader's exporter makes each step with only ``parent=exporter`` (``register_preprocessor``)."""
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    exporter = Exporter(config=cfg)
    for (section, key), _ in nbgrader_steps.CONFIG.items():
        for name in cfg[section][key]:
            exporter.register_preprocessor(name)
    built = exporter._preprocessors
    assert all(step.parent is exporter for step in built)
    sandboxed = next(step for step in built if isinstance(step, SandboxedExecute))
    assert sandboxed.timeout == 60  # the course's Execute.timeout reaches the sandboxed step
    assert sandboxed.enabled and sandboxed.km is None  # it makes its own sandboxed kernel per notebook


def test_no_sandbox_no_student_code(monkeypatch):
    monkeypatch.setattr(executor, "isolation_problem", lambda: "bubblewrap (bwrap) is not installed")
    started = []
    monkeypatch.setattr(executor.GradingClient, "async_grade", lambda self: started.append(1))
    nb = new_notebook(cells=[new_code_cell("open('/tmp/x', 'w')", metadata=_meta("a", solution=True))])
    with pytest.raises(SandboxUnavailable, match="refusing to run it"):
        SandboxedExecute(config=Config())(nb, {"nbgrader": {"notebook": "nb"}})
    assert started == []


def test_the_grading_home_is_one_per_process_and_remade_when_it_disappears(monkeypatch, tmp_path):
    monkeypatch.setattr(executor, "_HOME", None)
    monkeypatch.setattr(executor.atexit, "register", lambda fn: None)  # removed by tmp_path, not at exit
    monkeypatch.setattr(executor.tempfile, "tempdir", str(tmp_path))
    home = executor.grading_home()
    assert executor.grading_home() == home and home.parent == tmp_path
    assert home.stat().st_mode & 0o777 == 0o711 and (home / "scratch").is_dir()
    shutil.rmtree(home)
    again = executor.grading_home()
    assert again != home and (again / "scratch").is_dir() and again.stat().st_mode & 0o777 == 0o711


def test_limits_come_from_the_steps_settings():
    cfg = Config()
    cfg.Execute.timeout = 45
    cfg.SandboxedExecute.memory_mb = 512
    cfg.GradingClient.wall_seconds = 300
    limits = SandboxedExecute(config=cfg).limits()
    assert (limits.cell_timeout, limits.memory_mb, limits.wall_seconds) == (45, 512, 300)


def test_a_tampered_notebook_fails_its_tests(monkeypatch):
    async def tampered(self):
        self.report.tampered = True
        return self.nb

    monkeypatch.setattr(executor.GradingClient, "async_grade", tampered)
    test = new_code_cell("assert True", metadata=_meta("t1", grade=True))
    nb = new_notebook(cells=[test])
    step = SandboxedExecute(km=object(), config=Config())
    nb, resources = step(nb, {"nbgrader": {"notebook": "ps"}})
    assert [o["ename"] for o in nb.cells[0].outputs] == ["GraderTamper"]
    assert resources["grader"]["reasons"] == [
        "ps.ipynb: the notebook tampered with the kernel's error reporting: its autograded tests score 0"]


def test_empty_nbgrader_metadata_is_dropped():
    nb = new_notebook(cells=[new_code_cell("1", metadata={"nbgrader": {}}), new_code_cell("2", metadata=_meta("a"))])
    nb, _ = nbgrader_steps.DropEmptyNbgraderMetadata()(nb, {})
    assert "nbgrader" not in nb.cells[0].metadata and nb.cells[1].metadata["nbgrader"]["grade_id"] == "a"


def test_feedback_steps_hide_hidden_tests_and_active_content():
    test = new_code_cell("check(f(9))\n### BEGIN HIDDEN TESTS\ncheck(f(8), 'secret case')\n### END HIDDEN TESTS",
                         metadata=_meta("t1", grade=True))
    test.outputs = [new_output("error", ename="AssertionError", evalue="wrong",
                               traceback=["check(f(8), 'secret case')", "AssertionError: wrong"])]
    md = new_markdown_cell("<script>steal()</script><b onclick='x()'>hi</b>")
    nb = new_notebook(cells=[md, test])
    resources: dict = {"nbgrader": {"notebook": "ps"}}
    for step in nbgrader_steps.feedback_preprocessors()[:-1]:  # GetGrades needs a gradebook
        nb, resources = step(config=Config())(nb, resources)
    assert "secret case" not in nb.cells[1].source and "check(f(9))" in nb.cells[1].source
    assert nb.cells[1].outputs[0]["traceback"] == ["AssertionError: wrong (details hidden: hidden test)"]
    assert "<script" not in nb.cells[0].source and "onclick" not in nb.cells[0].source
    assert resources["grader"]["active_content"] >= 1


def test_grade_class_honours_a_step_switched_off():
    """grade-class runs steps as nbgrader's exporter does: nbconvert's ClearMetadataPreprocessor is off unless
    configured, so the nbgrader metadata the scores need stays."""
    from classroom.grading.submission import _apply

    nb = new_notebook(cells=[new_code_cell("1", metadata=_meta("a"))])
    from nbconvert.preprocessors import ClearMetadataPreprocessor

    nb = _apply([ClearMetadataPreprocessor], nb, {}, Config())
    assert nb.cells[0].metadata["nbgrader"]["grade_id"] == "a"


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 5), st.floats(allow_nan=False, width=16),
                    st.sampled_from(["", "a", "q1", "a b", "cell-1"]), st.lists(st.integers(0, 2), max_size=2))
_KEYS = st.sampled_from(["grade_id", "schema_version", "locked", "solution", "grade", "points", "task", "extra"])


def _verdict(step: type, nb) -> str | None:
    """The exception (type and text) ``step`` raises on a copy of ``nb``, or None."""
    import copy

    try:
        step(config=Config())(copy.deepcopy(nb), {})
    except Exception as exc:  # noqa: BLE001 - the verdict is what we compare
        return f"{type(exc).__name__}: {exc}"
    return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.sampled_from(["code", "markdown"]),
                                st.one_of(st.none(), st.dictionaries(_KEYS, _VALUES, max_size=7)),
                                st.booleans()), max_size=5))
def test_check_cell_metadata_once_agrees_with_nbgraders(cells):
    """The step that checks nbgrader's schema once per process gives nbgrader's own verdict on any metadata:
    accepted, or rejected with the same exception (valid cells, wrong types, missing keys, old and new schema
    versions, duplicate ids, markdown grade cells)."""
    nb = new_notebook()
    for kind, meta, valid_base in cells:
        if meta is not None and valid_base:  # half of the cells start from valid metadata, then get changed
            meta = _meta(str(meta.get("grade_id", "g")), grade=bool(meta.get("grade")),
                         solution=bool(meta.get("solution")))["nbgrader"] | meta
        metadata = {} if meta is None else {"nbgrader": meta}
        nb.cells.append(new_code_cell("1", metadata=metadata) if kind == "code"
                        else new_markdown_cell("x", metadata=metadata))
    assert _verdict(nbgrader_steps.CheckCellMetadataOnce, nb) == _verdict(CheckCellMetadata, nb)


def test_the_steps_check_the_schema_once_per_process(monkeypatch):
    """nbgrader's jsonschema.validate checks the schema before every cell; the course's step never calls it."""
    import nbgrader.nbgraderformat.common as common

    calls = []
    monkeypatch.setattr(common.jsonschema, "validate", lambda *a, **k: calls.append(a))
    nb = new_notebook(cells=[new_code_cell("1", metadata=_meta(f"c{i}", grade=True)) for i in range(5)])
    nbgrader_steps.CheckCellMetadataOnce(config=Config())(nb, {})
    assert calls == []
    CheckCellMetadata(config=Config())(nb, {})
    assert len(calls) == 5  # what the course's step saves: one schema check per cell
    assert CheckCellMetadata not in nbgrader_steps.sanitize_preprocessors() + nbgrader_steps.autograde_preprocessors()
