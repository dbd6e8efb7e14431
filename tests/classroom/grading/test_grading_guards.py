"""Each grading guard on its own (classroom.grading.guards): files, active content, plain-data answers, the checker
with a real kernel, output caps and IOPub lateness. The whole class run is
tests/classroom/grading/test_grading_adversarial.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import sys
import threading

import nbformat
import pytest
from classroom.grading.executor import GradingClient, is_test_cell
from classroom.grading.guards import files
from classroom.grading.guards.active_content import neutralise
from classroom.grading.guards.checker import CheckerProcess, local_argv
from classroom.grading.guards.checker_main import AnswerError, decode, encode
from classroom.grading.guards.launcher import kernel_argv
from classroom.grading.guards.outputs import OutputBudget, trim_error
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

pytestmark = pytest.mark.nbgrader


# -- files ------------------------------------------------------------------------------------------------------
def test_a_regular_file_is_read(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"data")
    assert files.read_regular(tmp_path / "a.txt", 10) == b"data"
    with pytest.raises(files.Refused, match="larger than"):
        files.read_regular(tmp_path / "a.txt", 3)


def test_a_fifo_device_link_or_hard_link_is_refused_before_it_is_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "solution.ipynb").write_text("{}")
    os.link(tmp_path / "solution.ipynb", tmp_path / "hard.ipynb")
    (tmp_path / "soft.ipynb").symlink_to(tmp_path / "solution.ipynb")
    done = {}

    def attempt():  # a FIFO opened for reading would block this thread for ever
        for name, path in (("pipe", tmp_path / "pipe"), ("dev", "/dev/zero"), ("hard", tmp_path / "hard.ipynb"),
                           ("soft", tmp_path / "soft.ipynb")):
            try:
                files.read_regular(path, 1000)
                done[name] = "read"
            except files.Refused as exc:
                done[name] = str(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "read_regular blocked on a FIFO"
    assert "not a regular file" in done["pipe"] and "not a regular file" in done["dev"]
    assert "hard links" in done["hard"] and "symbolic link" in done["soft"]


def test_only_released_data_enters_the_scratch_and_the_rest_is_listed(tmp_path):
    release, submitted, scratch = tmp_path / "release", tmp_path / "sub", tmp_path / "scratch"
    (release / "data").mkdir(parents=True)
    (release / "data" / "cases.csv").write_text("id\n1\n")
    (release / "ps.ipynb").write_text("{}")
    (submitted / "osteonecrosis").mkdir(parents=True)
    (submitted / "ps.ipynb").write_text("{}")
    (submitted / "timestamp.txt").write_text("2026-01-01 00:00:00")
    (submitted / "ipykernel_launcher.py").write_text("print('forged')")
    (submitted / "osteonecrosis" / "__init__.py").write_text("")
    (submitted / "data").mkdir()
    (submitted / "data" / "cases.csv").write_text("id\nforged\n")
    scratch.mkdir()
    files.fill_scratch(scratch, release)
    assert sorted(p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file()) == ["data/cases.csv"]
    assert (scratch / "data" / "cases.csv").read_text() == "id\n1\n"
    assert files.extra_files(submitted, ["ps"], release) == ["ipykernel_launcher.py", "osteonecrosis/__init__.py"]


# -- active content -----------------------------------------------------------------------------------------------
def test_scripts_handlers_and_javascript_are_removed():
    nb = new_notebook(cells=[
        new_markdown_cell("weeks > 8 <script>steal()</script><img src=x onerror='steal()'> [a](javascript:steal())"),
        new_code_cell("x", outputs=[
            new_output("display_data", data={"application/javascript": "steal()", "text/plain": "js"}),
            new_output("display_data", data={"text/html": "<b onclick='steal()'>hi</b><script>steal()</script>"}),
            new_output("execute_result", data={"text/javascript": "steal()"}, execution_count=1),
            new_output("stream", name="stdout", text="<script>stays text</script>"),
        ]),
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    assert neutralise(nb) >= 4
    text = nbformat.writes(nb).replace("<script>stays text</script>", "")  # stream text is shown escaped
    for active in ("<script", "onerror", "onclick", "javascript:", "application/javascript", "text/javascript"):
        assert active not in text, active
    assert "widgets" not in nb.metadata
    assert nb.cells[1].outputs[0].data == {"text/plain": "js"}
    assert nb.cells[1].outputs[1].data["text/html"] == "<b>hi</b>steal()"  # inert text now


def test_instructor_markdown_without_html_is_left_alone():
    nb = new_notebook(cells=[new_markdown_cell("**Q1.** more than 8 weeks (`weeks > 8`)")])
    assert neutralise(nb) == 0


# -- plain-data answers -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"), "text", [1, [2]], (1, "a"), {"k": (1, 2), 3: None}, {1, 2},
    frozenset({"a"}), dt.date(2026, 3, 16), dt.datetime(2026, 3, 16, 12, 30), dt.timedelta(weeks=8),
])
def test_answers_round_trip_as_plain_data(value):
    got = decode(encode(value))
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("data", [
    {"__import__": "os"}, {"__tuple__": "x"}, {"a": 1, "b": 2}, {"__unsupported__": "a _Yes is not plain data"},
    {"__date__": "not a date"}, {"__dict__": [[[1], 2]]},
])
def test_anything_else_is_refused(data):
    with pytest.raises(AnswerError):
        decode(data)


# -- output caps and IOPub lateness ------------------------------------------------------------------------------
def test_error_outputs_are_trimmed_and_counted():
    budget = OutputBudget(cell_bytes=2_000_000, notebook_bytes=10_000_000)
    big = {"ename": "ValueError", "evalue": "E" * 5_000_000, "traceback": ["line " * 10_000] * 500}
    first = budget.error(1, big)
    assert first["ename"] == "ValueError" and len(first["evalue"]) <= 4000 and len(first["traceback"]) <= 60
    for _ in range(5):
        last = budget.error(1, big)
    assert last["ename"] == "ValueError" and last["evalue"] == "" and len(last["traceback"]) == 1
    assert budget.used == budget.per_cell[1] > 3 * 4000
    assert trim_error({"ename": "X" * 1000})["ename"] == "X" * 200
    small = OutputBudget(cell_bytes=1000, notebook_bytes=10_000)
    kept = small.error(1, big)  # over the cell's budget: the first error is kept, small
    assert kept["ename"] == "ValueError" and len(kept["evalue"]) == 200 and len(kept["traceback"]) == 1
    assert small.error(1, big) is None and small.used < 1000


def test_output_budget_per_cell_and_per_notebook():
    budget = OutputBudget(cell_bytes=100, notebook_bytes=150)
    assert budget.charge(1, 80) and not budget.charge(1, 30)
    assert budget.charge(2, 60) is True and not budget.charge(3, 20)  # notebook bound (80 + 60 + 20 > 150)


def _client(nb, **kw) -> GradingClient:
    km = AsyncKernelManager(kernel_name="python3")
    km._kernel_spec = KernelSpec(argv=kernel_argv(sys.executable), display_name="py", language="python",
                                 interrupt_mode="message")
    return GradingClient(nb, km, wall_seconds=kw.pop("wall_seconds", 120), output_bytes=kw.pop("output_bytes", 50_000),
                         notebook_bytes=kw.pop("notebook_bytes", 2_000_000), checker=kw.pop("checker", None),
                         timeout=30, interrupt_on_timeout=True, allow_errors=True, startup_timeout=120, **kw)


def test_iopub_lateness_is_not_a_spent_budget():
    client = _client(new_notebook(cells=[new_code_cell("1")]))

    async def late(*args, **kwargs):
        raise CellTimeoutError("Timeout waiting for IOPub output")

    client.async_execute_cell = late
    import time

    asyncio.run(client._run_cell(client.nb.cells[0], 0, time.monotonic() + 60))
    assert client.report.budget_spent is False and "IOPub" in client.report.notes[0]


# -- the checker, with a real (unsandboxed) kernel -----------------------------------------------------------------
def _meta(grade_id, **flags):
    return {"nbgrader": {"grade_id": grade_id, "locked": flags.get("locked", True), "schema_version": 3,
                         "solution": flags.get("solution", False), "grade": flags.get("grade", False),
                         **({"points": 1} if flags.get("grade") else {})}}


def _graded(setup: str, answer: str, tests: list[str], checker: bool = True, after: str | None = None, **kw):
    """The graded client: set-up cell, answer cell, test cells, and ``after`` (a last answer cell) if given."""
    cells = [new_code_cell(setup, metadata=_meta("setup")),
             new_code_cell(answer, metadata=_meta("answer", locked=False, solution=True))]
    cells += [new_code_cell(t, metadata=_meta(f"test{i}", grade=True)) for i, t in enumerate(tests)]
    if after is not None:
        cells.append(new_code_cell(after, metadata=_meta("after", locked=False, solution=True)))
    client = _client(new_notebook(cells=cells), checker=CheckerProcess(local_argv()) if checker else None, **kw)
    run_sync(client.async_grade)()
    return client


def _grade_cells(setup: str, answer: str, tests: list[str], checker: bool = True, **kw) -> list:
    client = _graded(setup, answer, tests, checker=checker, **kw)
    return [c for c in client.nb.cells if is_test_cell(c)], client.report


def _passed(cell) -> bool:
    return not any(o.output_type == "error" or getattr(o, "name", "") == "stderr" for o in cell.outputs)


def test_expected_values_cannot_be_moved_from_the_students_kernel():
    setup = "from osteonecrosis import knowledge"
    answer = ('knowledge.load("staging")["case_definition"]["persisting_more_than_weeks"] = 1\n'
              "def persisting_long_enough(weeks):\n    return weeks > 1")
    test = ('limit = knowledge.load("staging")["case_definition"]["persisting_more_than_weeks"]\n'
            "assert persisting_long_enough(5) == (5 > limit)")
    in_kernel, _ = _grade_cells(setup, answer, [test], checker=False)
    checked, report = _grade_cells(setup, answer, [test])
    assert _passed(in_kernel[0])  # the old way: the student moved the expected value, and passed
    assert not _passed(checked[0]) and report.checked_outside == 1


def test_hooks_and_always_equal_objects_cannot_pass_a_test():
    answer = ("ip = get_ipython()\n"
              "ip.events.register('pre_run_cell', lambda info: ip.displayhook('ok'))\n"
              "def _forge(result):\n    result.error_in_exec = None\n"
              "ip.events.register('post_run_cell', _forge)\n"
              "class Yes:\n    def __eq__(self, other):\n        return True\n"
              "def f(x):\n    return Yes()\nanswer = Yes()")
    tests = ["assert f(1) == 2", "assert answer == 42", "assert undefined_name == 1"]
    checked, _ = _grade_cells("", answer, tests)
    assert [_passed(c) for c in checked] == [False, False, False]
    assert "not a plain value" in checked[0].outputs[-1].evalue or "AnswerError" in str(checked[1].outputs)


def test_honest_answers_pass_in_the_checker_with_their_prints_shown():
    answer = ("import datetime\n"
              "def window(d):\n    print('computing')\n    return d, d + datetime.timedelta(weeks=4)\n"
              "stages = {'a': '1', 'b': 'at_risk'}\nratio = 2.5\n"
              "def boom(x):\n    raise ValueError('negative')")
    tests = ["from datetime import date, timedelta\nprint(stages)\n"
             "assert window(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 1, 29))",
             "assert stages['b'] == 'at_risk' and abs(ratio - 2.5) < 1e-9",
             "try:\n    boom(-1)\nexcept ValueError as exc:\n    assert 'negative' in str(exc)\n"
             "else:\n    raise AssertionError"]
    checked, report = _grade_cells("", answer, tests)
    assert [_passed(c) for c in checked] == [True, True, True], [c.outputs for c in checked]
    assert "{'a': '1', 'b': 'at_risk'}" in checked[0].outputs[0].text
    assert report.checked_outside == 3


def test_display_id_copies_cannot_multiply_output():
    answer = ("from IPython.display import display, update_display\n"
              "for i in range(400):\n    display('tiny', display_id='same')\n"
              "update_display('x' * 40_000, display_id='same')")
    client = _client(new_notebook(cells=[new_code_cell(answer)]), output_bytes=50_000, notebook_bytes=1_000_000)
    run_sync(client.async_grade)()
    assert len(nbformat.writes(client.nb)) < 2_000_000


def test_the_working_directory_never_shadows_an_installed_module(tmp_path):
    (tmp_path / "osteonecrosis").mkdir()
    (tmp_path / "osteonecrosis" / "__init__.py").write_text("FAKE = True\n")
    (tmp_path / "ipykernel_launcher.py").write_text("raise SystemExit('shadowed')\n")
    cell = new_code_cell("import sys, osteonecrosis\nprint(hasattr(osteonecrosis, 'FAKE'), sys.path[-1] == '', "
                         "sys.path.count(''))")
    client = _client(new_notebook(cells=[cell]), resources={"metadata": {"path": str(tmp_path)}})
    run_sync(client.async_grade)()
    assert client.nb.cells[0].outputs[0].text.strip() == "False True 1"


def test_ordinary_html_is_kept_and_not_flagged():
    table = "<h3>Doses</h3><table><tr><th colspan='2'>drug</th></tr><tr><td>alendronate</td><td>70</td></tr></table>"
    nb = new_notebook(cells=[new_code_cell("x", outputs=[
        new_output("display_data", data={"text/html": table, "text/plain": "t"}),
        new_output("display_data", data={"text/markdown": "| a | b |\n|---|---|\n| 1 | 2 |"})])])
    assert neutralise(nb) == 0
    html = nb.cells[0].outputs[0].data["text/html"]
    assert "<table>" in html and "<td>alendronate</td>" in html and 'colspan="2"' in html


KERNEL_ONLY_SETUP = "_kernel = get_ipython().kernel  # runs in a kernel, not in the checker"


def test_without_the_checker_an_execute_result_cannot_pass_a_failing_test():
    answer = ("ip = get_ipython()\nip.events.register('pre_run_cell', lambda info: ip.displayhook('ok'))\n"
              "def f(x):\n    return 0")
    tests, report = _grade_cells(KERNEL_ONLY_SETUP, answer, ["assert f(1) == 2"])
    assert report.checker_fallback and "fails in the checker" in report.checker_fallback
    assert tests[0].outputs[0].output_type == "error" and not _passed(tests[0])


def test_without_the_checker_a_forging_hook_is_caught_by_the_canary():
    answer = ("ip = get_ipython()\n"
              "def _forge(result):\n    result.error_in_exec = None\n"
              "ip.events.register('post_run_cell', _forge)\n"
              "def f(x):\n    return 0")
    tests, report = _grade_cells(KERNEL_ONLY_SETUP, answer, ["assert f(1) == 2"])
    assert report.checker_fallback and report.tampered


def test_released_files_may_be_hard_links_but_submitted_ones_may_not(tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    (tmp_path / "original.csv").write_text("id\n1\n")
    os.link(tmp_path / "original.csv", release / "cases.csv")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    files.fill_scratch(scratch, release)
    assert (scratch / "cases.csv").read_text() == "id\n1\n"
    with pytest.raises(files.Refused, match="hard links"):
        files.read_regular(release / "cases.csv", 100)


# -- the answer channel (issue 18): only the names a test asks for cross, one block per export -------------------
CHANNEL_SETUP = ('def check_equal(got, expected, what):\n'
                 '    assert got == expected, f"{what}: expected {expected!r}, got {got!r}"')
# The student's own "helpers": they say yes to everything and keep what they were given (expected values).
STUDENT_HELPERS = '''
import json, re, sys
seen, forged = [], [0]
def check_equal(*args):
    seen.append(repr(args))
def abs(x):
    seen.append(repr(x))
    return 0
def f(x):
    return 0
ratio = 0.0
FORGED = {"f": {"__callable__": True}, "ratio": 2.5, "check_equal": {"__callable__": True},
          "abs": {"__callable__": True}, "len": {"__callable__": True}}
'''
CHANNEL_TESTS = ["check_equal(f(1), 2, 'one')", "assert abs(ratio - 2.5) < 1e-9",
                 "check_equal(f(3), 7, 'HIDDEN-SEVEN')"]
AFTER = "print('seen', seen, 'forged', forged[0] > 0)"


def _after_text(client) -> str:
    return "".join(o.get("text", "") for o in client.nb.cells[-1].outputs)


def test_a_hook_printing_a_forged_block_first_is_flagged_and_nothing_crosses():
    hook = STUDENT_HELPERS + '''
def _forge(info):
    raw = info.raw_cell or ""
    if "_grader" in raw:
        for nonce in set(re.findall(r"[0-9a-f]{32}", raw)):
            forged[0] += 1
            print(nonce + json.dumps(FORGED) + nonce)
get_ipython().events.register("pre_run_cell", _forge)
'''
    client = _graded(CHANNEL_SETUP, hook, CHANNEL_TESTS, after=AFTER)
    tests = [c for c in client.nb.cells if is_test_cell(c)]
    assert [_passed(c) for c in tests] == [False, False, False]
    assert client.report.forged_exports == 3
    assert all("answer block" in str(c.outputs) for c in tests)
    assert _after_text(client).strip() == "seen [] forged True"  # no expected value reached the kernel


def test_a_print_inside_the_export_cannot_add_a_block():
    # an answer whose module claims to be numpy: the export calls its tolist(), which prints a forged block
    # with the nonce read from the export's own frame
    answer = STUDENT_HELPERS + '''
class Sneaky:
    __module__ = "numpy"
    def tolist(self):
        frame = sys._getframe(1)
        while frame is not None and "nonce" not in frame.f_locals:
            frame = frame.f_back
        if frame is not None:
            forged[0] += 1
            nonce = frame.f_locals["nonce"]
            print(nonce + json.dumps(FORGED) + nonce)
        return 0.0
ratio = Sneaky()
'''
    client = _graded(CHANNEL_SETUP, answer, ["assert abs(ratio - 2.5) < 1e-9"], after=AFTER)
    test = next(c for c in client.nb.cells if is_test_cell(c))
    assert not _passed(test) and client.report.forged_exports == 1
    assert _after_text(client).strip() == "seen [] forged True"


def test_one_block_with_extra_names_gives_only_the_names_the_test_asks_for():
    # json.dumps patched in the kernel: the export's single block carries check_equal, abs and len as well
    answer = STUDENT_HELPERS + '''
_dumps = json.dumps
def _patched(obj, *args, **kwargs):
    if isinstance(obj, dict) and ("f" in obj or "ratio" in obj):
        forged[0] += 1
        obj = {**FORGED, **obj}
    return _dumps(obj, *args, **kwargs)
json.dumps = _patched
'''
    client = _graded(CHANNEL_SETUP, answer, CHANNEL_TESTS, after=AFTER)
    tests = [c for c in client.nb.cells if is_test_cell(c)]
    assert [_passed(c) for c in tests] == [False, False, False]
    text = str([c.outputs for c in tests])
    assert "one: expected 2, got 0" in text  # the checker's own check_equal ran, on the student's real f
    assert client.report.forged_exports == 0  # one block: nothing to flag, the extra names were not taken
    assert _after_text(client).strip() == "seen [] forged True"


def test_a_forged_call_reply_cannot_win():
    answer = '''
import sys
def f(x):
    frame = sys._getframe(1)
    nonce = frame.f_locals.get("nonce")
    if nonce:
        print(nonce + '{"value": 2}' + nonce)
    return 0
'''
    tests, report = _grade_cells(CHANNEL_SETUP, answer, ["assert f(1) == 2"])
    assert not _passed(tests[0]) and report.forged_exports == 1


def _checker_reply(setup: str, source: str, answers: dict, calls: dict) -> dict:
    async def go():
        checker = CheckerProcess(local_argv())
        await checker.start()
        try:
            await checker.request({"op": "setup", "source": setup})

            async def on_call(name, payload):
                return calls[name]

            return await checker.request({"op": "test", "source": source, "answers": answers}, on_call=on_call)
        finally:
            await checker.close()

    return asyncio.run(go())


@pytest.mark.parametrize("name", ["abs", "check_equal", "len", "AssertionError"])
def test_the_checker_refuses_a_name_the_test_did_not_ask_for(name):
    source = "check_equal(ratio, 2.5, 'ratio')\nassert abs(ratio - 2.5) < 1e-9 and len([ratio]) == 1"
    reply = _checker_reply(CHANNEL_SETUP, source, {"ratio": 0.0, name: {"__callable__": True}},
                           {name: {"value": None if name == "check_equal" else 0}})
    assert reply["status"] == "error"
    error = next(o for o in reply["outputs"] if o["output_type"] == "error")
    assert error["ename"] == "AnswerError" and name in error["evalue"] and "refused" in error["evalue"]


def test_an_honest_student_who_printed_the_whole_budget_still_passes():
    answer = ("ratio = 2.5\ndef f(x):\n    return x + 1\n"
              "for _ in range(3000):\n    print('x' * 99, flush=True)")
    tests, report = _grade_cells("", answer, ["assert f(1) == 2", "assert abs(ratio - 2.5) < 1e-9"],
                                 output_bytes=100_000, notebook_bytes=100_000)
    assert [_passed(c) for c in tests] == [True, True], [c.outputs for c in tests]
    assert report.truncated_cells == 1


def test_without_the_checker_a_spent_budget_is_not_taken_for_tampering():
    answer = ("def f(x):\n    return x + 1\n"
              "for _ in range(3000):\n    print('x' * 99, flush=True)")
    tests, report = _grade_cells(KERNEL_ONLY_SETUP, answer, ["assert f(1) == 2"],
                                 output_bytes=100_000, notebook_bytes=100_000)
    assert report.checker_fallback and not report.tampered
    assert _passed(tests[0])


def test_a_deep_json_answer_is_one_failure_line_not_a_stopped_kernel():
    answer = '''
import json
_dumps = json.dumps
def _deep(obj, *args, **kwargs):
    if isinstance(obj, dict) and "ratio" in obj:
        return '{"ratio": ' + "[" * 300_000 + "]" * 300_000 + "}"
    return _dumps(obj, *args, **kwargs)
json.dumps = _deep
ratio = 2.5
'''
    client = _graded("", answer, ["assert ratio == 2.5"], after="print('still running')", output_bytes=2_000_000)
    test = next(c for c in client.nb.cells if is_test_cell(c))
    assert not client.report.kernel_died
    errors = [o for o in test.outputs if o.output_type == "error"]
    assert len(errors) == 1 and "nested" in errors[0].evalue
    assert _after_text(client).strip() == "still running"


def test_every_error_output_is_counted():
    flood = ("ip = get_ipython()\n"
             "for i in range(5_000):\n"
             "    ip._showtraceback(ValueError, 'E' * 100, ['line ' * 20])")
    client = _client(new_notebook(cells=[new_code_cell(flood), new_code_cell(flood), new_code_cell("1 / 0")]),
                     output_bytes=50_000, notebook_bytes=200_000)
    run_sync(client.async_grade)()
    assert len(nbformat.writes(client.nb)) < 260_000
    first, second, third = client.nb.cells
    assert first.outputs[0].output_type == "error" and first.outputs[0].evalue == "E" * 100
    assert any(o.output_type == "error" for o in second.outputs)  # a failing cell stays failing
    assert third.outputs[-1].ename == "ZeroDivisionError"


def test_error_budget_keeps_one_small_error_per_cell_once_the_budget_is_spent():
    budget = OutputBudget(cell_bytes=1000, notebook_bytes=5_000)
    big = {"ename": "ValueError", "evalue": "E" * 3000, "traceback": ["x" * 100] * 10}
    kept = [budget.error(cell, big) for cell in range(20) for _ in range(50)]
    kept = [k for k in kept if k is not None]
    per_cell = len(kept) / 20
    assert per_cell <= 3
    assert budget.used <= 5_000 + 20 * 800
    assert all(k["ename"] == "ValueError" for k in kept)


def test_a_test_right_after_another_reuses_the_exported_answers_until_the_kernel_runs_anything():
    """Answers are taken out of the kernel once for consecutive tests; a call of the student's function (which may
    change their names) makes the next test take them out again, so no test sees a stale value."""
    answer = "counter = [0]\ndef bump():\n    counter[0] += 1\n    return counter[0]\ntotal = 5"
    tests = ["assert total == 5", "assert total == 5", "assert counter == [0]", "assert bump() == 1",
             "assert counter == [1], counter", "assert counter[0] == 1"]
    checked, report = _grade_cells("", answer, tests)
    assert [_passed(c) for c in checked] == [True] * 6, [c.outputs for c in checked]
    # exports: total; (reused); counter; bump; counter again after the call; (reused)
    assert report.checked_outside == 6 and report.exports == 4


def test_results_of_calls_a_students_function_many_times_in_one_round_trip():
    """``results_of`` in a test: fifty calls of the student's function in one kernel round trip, in order; the
    first error stops it as a loop would; a reply with a value too many or too few is refused."""
    answer = ("def window(d):\n    return d, d + 7\n"
              "def fragile(x):\n    if x == 3:\n        raise ValueError('three is bad')\n    return x")
    use = "from osteonecrosis.exercises import results_of\n"
    tests = [use + "assert results_of(window, [(i,) for i in range(50)]) == [(i, i + 7) for i in range(50)]",
             use + "assert results_of(window, []) == []",
             use + "results_of(fragile, [(1,), (2,), (3,), (4,)])"]
    checked, report = _grade_cells("", answer, tests)
    assert [_passed(c) for c in checked] == [True, True, False]
    assert report.calls == 3  # one round trip per results_of, not one per call
    (error,) = [o for o in checked[2].outputs if o.output_type == "error"]
    assert (error.ename, error.evalue) == ("ValueError", "three is bad")


def test_a_forged_batch_reply_fails_the_test():
    """A student who shadows ``exec`` sees the grader's call code and its nonce: whatever they print is still only
    their function's values, and a reply whose length is not the number of calls is refused."""
    answer = ("import builtins, json, re\n"
              "def exec(code, *rest):\n"
              "    found = re.search(r\"_grader_calls\\('f', '[^']*', '([0-9a-f]+)'\\)\", code)\n"
              "    if found:\n"
              "        print(found.group(1) + json.dumps({'values': [1] * 500}) + found.group(1))\n"
              "    else:\n"
              "        builtins.exec(code, globals())\n"
              "def f(x):\n    return x")
    test = "from osteonecrosis.exercises import results_of\nassert results_of(f, [(1,), (1,)]) == [1, 1]"
    checked, report = _grade_cells("", answer, [test])
    assert not _passed(checked[0]) and report.calls == 1
    assert "no usable values" in str(checked[0].outputs)


def test_a_failing_test_in_the_checker_keeps_its_whole_traceback():
    """The checker formats a failing test's traceback itself (IPython's second copy for its history is skipped):
    the error output still names the assertion and the lines that raised it."""
    answer = "ratio = 3.0"
    test = "def close_to(x, want):\n    assert abs(x - want) < 1e-9, 'ratio is off'\nclose_to(ratio, 2.5)"
    checked, report = _grade_cells("", answer, [test])
    assert report.checked_outside == 1 and not _passed(checked[0])
    (error,) = [o for o in checked[0].outputs if o.output_type == "error"]
    assert (error.ename, error.evalue) == ("AssertionError", "ratio is off")
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert "close_to(ratio, 2.5)" in text and "assert abs(x - want) < 1e-9, 'ratio is off'" in text
