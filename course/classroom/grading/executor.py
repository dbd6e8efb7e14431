"""The trusted side of notebook execution: talks to a sandboxed kernel, never runs student code itself.

On top of nbgrader's ``Execute`` (per-cell timeout with interrupt, a reply status of 'error' becomes an error
output even when the student silenced IPython's traceback display) this client adds:

- autograded test cells run in a checker process that never ran student code (``classroom.grading.guards.checker``):
  the answers they use are taken out of the student's kernel as plain data, function answers are called in
  the kernel and only their return values come back; the test cell itself never runs beside student code; a
  test that follows another with nothing run in the kernel between them (no cell, no call) reuses the answers
  already taken out;

- a wall-clock budget for the whole notebook; cells not run (budget spent, kernel died or exited) get an
  error output, so an unexecuted test cell can never count as passed;
- before every autograded test cell it re-runs the instructor's locked set-up cells, undoing a student's
  redefinition of the test helpers those cells define;
- just before every autograded test cell (in the same round trip as the set-up cells) a canary
  ``raise AssertionError(<random>)``: if the kernel does not report it faithfully, the kernel's error
  reporting was tampered with and the notebook is flagged;
- every output is capped as it arrives (``classroom.grading.guards.outputs``: per cell, per notebook, errors, display
  updates and display-id copies; errors are counted too, and a cell keeps at least one, so a cap never turns
  a failing cell into a passing one);
- the grader's own cells in the student's kernel (answer exports, function calls, the canary, set-up re-runs)
  are captured apart from the student's output budget, under caps of their own: an honest student who printed
  the whole budget is still graded on their answers. An export must hold exactly one answer block, and only
  the names the test asks for are handed to the checker (``classroom.grading.guards.checker``);
- without a checker (instructor set-up the checker cannot run), a test cell's grade comes from the kernel's
  reply status, never from an execute_result a student's hook emitted, and the canary is sent exactly like a
  test cell (store_history, same request);
- IOPub output arriving late is a note, never a spent time budget.

``SandboxedExecute`` is this client as nbgrader's Execute step (``c.Autograde.autograde_preprocessors`` in the
course's nbgrader_config.py): ``nbgrader autograde`` and grade-class both run student code through it.
"""

from __future__ import annotations

import asyncio
import atexit
import builtins
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbformat.v4.nbbase import random_cell_id
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

from classroom.grading.guards import files
from classroom.grading.guards.checker import (
    MAX_EXPORT,
    CheckerConnection,
    CheckerError,
    CheckerProcess,
    ExportProblem,
    ForkServer,
    answer_block,
    call_code,
    call_many_code,
    checker_argv,
    export_code,
    local_argv,
)
from classroom.grading.guards.launcher import kernel_argv
from classroom.grading.guards.outputs import OutputBudget, size_of, trim_error
from classroom.grading.notebook_client import SlicedWaitClient
from classroom.grading.sandbox import Limits, Sandbox, SandboxUnavailable, claim_uid, isolation_problem

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
PROBE_ERRORS = 3  # error outputs kept from one of the grader's own cells (the canary needs one)


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test: a locked grade code cell that is not an answer."""
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def is_setup_cell(cell: NotebookNode) -> bool:
    """An instructor's locked code cell that is neither graded nor an answer (imports, test helpers)."""
    return (
        cell.cell_type == "code"
        and utils.is_locked(cell)
        and not utils.is_grade(cell)
        and not utils.is_solution(cell)
    )


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An error output (built directly: nbformat's ``new_output`` validates against the schema every time)."""
    return nbformat.from_dict({"output_type": "error", "ename": str(ename), "evalue": str(evalue),
                               "traceback": [f"{ename}: {evalue}"]})


def grader_cell(source: str) -> NotebookNode:
    """One of the grader's own code cells (``nbformat.v4.new_code_cell`` without its schema validation, which
    costs more than running the cell: the grader sends dozens per notebook)."""
    return nbformat.from_dict({"id": random_cell_id(), "cell_type": "code", "metadata": {},
                               "execution_count": None, "source": source, "outputs": []})


@dataclass
class _Capture:
    """What one of the grader's own cells printed: kept apart from the student's outputs, under ``limit``."""

    limit: int = MAX_EXPORT
    stdout: list[str] = field(default_factory=list)
    size: int = 0
    overflow: bool = False
    errors: int = 0

    def text(self) -> str:
        return "".join(self.stdout)


@dataclass
class RunReport:
    """What happened while a notebook ran."""

    seconds: float = 0.0
    kernel_died: bool = False
    budget_spent: bool = False
    tampered: bool = False
    not_run: int = 0
    truncated_cells: int = 0
    checked_outside: int = 0  # test cells run in the checker
    exports: int = 0  # answer exports run in the kernel (a test right after another may need none)
    calls: int = 0  # round trips calling a student's function for the checker (results_of: one for many)
    checker_fallback: str | None = None  # why tests ran in the kernel instead
    forged_exports: int = 0  # answer exports or call replies holding more than one answer block
    notes: list[str] = field(default_factory=list)


class GradingClient(Execute, SlicedWaitClient):
    """nbgrader's Execute preprocessor driven cell by cell with the guards above (one notebook, one kernel manager).

    Replies are awaited in short slices (``notebook_client.SlicedWaitClient``): nbclient's one long wait sometimes
    misses a reply that has arrived and sleeps until the cell timeout.

    ``SandboxedExecute`` below is the same client as a configurable nbgrader step that makes its own sandbox."""

    wall_seconds = Float(Limits.wall_seconds, help="seconds for the whole notebook").tag(config=True)
    output_bytes = Integer(Limits.output_bytes, help="output kept per cell; the rest is dropped with a note"
                           ).tag(config=True)
    notebook_bytes = Integer(Limits.notebook_bytes, help="output kept per notebook").tag(config=True)

    def __init__(self, nb: NotebookNode | None = None, km: AsyncKernelManager | None = None,
                 checker: CheckerProcess | None = None, **kwargs):
        super().__init__(km=km, **kwargs)
        if nb is not None:
            self.nb = nb
        self.checker = checker
        self.shutdown_kernel = "immediate"
        self.raise_on_iopub_timeout = False  # late output is a note, not a timeout
        self.store_widget_state = False  # widget state is neither capped by nbclient nor needed for grading
        self._fresh_run()

    def _fresh_run(self) -> None:
        """Per-notebook state: budgets, report, captures."""
        self.budget = OutputBudget(cell_bytes=self.output_bytes, notebook_bytes=self.notebook_bytes)
        self.report = RunReport()
        self._noted: set[tuple[int, str]] = set()
        self._last_reply: dict | None = None
        self._capture: _Capture | None = None  # set while one of the grader's own cells runs
        self._last_capture: _Capture | None = None
        # answers exported since the kernel last ran anything else: a test right after another test (nothing ran
        # between them) reuses them instead of asking the kernel again
        self._exported: dict[str, object] = {}

    # -- output caps --------------------------------------------------------------------------------------
    def _drop(self, outs, name: str) -> None:
        key = (id(outs), name)
        if key not in self._noted:
            self._noted.add(key)
            if not any(k[0] == id(outs) for k in self._noted if k != key):
                self.report.truncated_cells += 1
            note = new_output("stream", name=name, text="\n[grader: further output of this cell dropped]\n")
            self.budget.used += size_of(note)
            outs.append(note)

    def _note(self, text: str) -> None:
        if text not in self.report.notes:
            self.report.notes.append(text)

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        msg_type = msg["header"]["msg_type"]
        if self._capture is not None:
            return self._captured(outs, msg, display_id, cell_index)
        if msg_type == "error":
            content = self.budget.error(id(outs), msg["content"])
            if content is None:  # the cell already keeps an error and its budget is spent
                self._drop(outs, "stderr")
                return None
            msg["content"] = content
            return super().output(outs, msg, display_id, cell_index)
        if display_id and not self.budget.new_display_id():
            display_id = None  # no further copies for update_display to multiply
        if self.budget.charge(id(outs), size_of(msg.get("content", {}))):
            return super().output(outs, msg, display_id, cell_index)
        self._drop(outs, msg["content"].get("name", "stdout") if msg_type == "stream" else "stdout")
        return None

    def _captured(self, outs, msg, display_id, cell_index):
        """Output of one of the grader's own cells: stdout text to the capture (capped), a few errors kept."""
        capture = self._capture
        assert capture is not None
        msg_type = msg["header"]["msg_type"]
        content = msg.get("content", {})
        if msg_type == "stream" and content.get("name") == "stdout":
            text = str(content.get("text", ""))
            if capture.size + len(text) > capture.limit:
                capture.overflow = True
            else:
                capture.stdout.append(text)
                capture.size += len(text)
            return None
        if msg_type == "error" and capture.errors < PROBE_ERRORS:
            capture.errors += 1
            msg["content"] = trim_error(content)
            return super().output(outs, msg, None, cell_index)
        return None  # anything else the student's hooks show during the grader's cell is not kept

    def _update_display_id(self, display_id, msg):  # type: ignore[override]
        """An update replaces the data of every copy: charge size x copies before copying anything."""
        copies = sum(len(v) for v in self._display_id_map.get(display_id, {}).values())
        if not copies:
            return None
        content = msg.get("content", {})
        size = size_of(content.get("data", {})) + size_of(content.get("metadata", {}))
        if size > self.output_bytes or self.budget.used + size * copies > self.budget.notebook_bytes:
            self._note("display updates over the output bound were dropped")
            return None
        self.budget.used += size * copies
        return super()._update_display_id(display_id, msg)

    def handle_comm_msg(self, outs, msg, cell_index):  # type: ignore[override]
        return None  # widget messages are not needed to grade and would be held uncapped

    def on_cell_executed(self, **kwargs):  # type: ignore[override]
        self._last_reply = kwargs.get("execute_reply")
        super().on_cell_executed(**kwargs)

    # -- driving the notebook ---------------------------------------------------------------------------
    async def _run_cell(self, cell: NotebookNode, index: int, budget_end: float, extra: bool = False,
                        export: bool = False) -> None:
        """Run ``cell`` (the notebook's cell ``index``, or an ``extra`` cell run just before or after it).

        Anything but an answer ``export`` may change the student's names: the answers exported so far are
        forgotten first."""
        remaining = budget_end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if not export:
            self._exported = {}
        self._last_reply = None
        original = self.nb.cells[index]
        self._capture = _Capture() if extra else None
        try:
            await asyncio.wait_for(
                self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1,
                                        store_history=True),
                timeout=remaining,
            )
        except CellTimeoutError as exc:
            if time.monotonic() >= budget_end:
                raise TimeoutError from exc
            self.report.notes.append(f"cell {index}: {exc}"[:200])
        finally:
            if extra:
                self.nb.cells[index] = original  # nbclient writes the executed cell back at ``index``
                self._last_capture, self._capture = self._capture, None
                self.clear_before_next_output = False  # a hook's clear_output(wait=True) stays in the grader's cell

    async def _canary(self, index: int, budget_end: float, before: str = "") -> bool | None:
        """Run ``before`` (instructor code) then ``raise AssertionError(<random>)`` in one cell.

        True when the kernel reports that assertion faithfully, False when it claims success (its error
        reporting was tampered with), None when ``before`` itself failed (then nothing is known).
        """
        nonce = secrets.token_hex(8)
        probe = grader_cell(f'{before}\nraise AssertionError("grader check {nonce}")'.lstrip("\n"))
        await self._run_cell(probe, index, budget_end, extra=True)
        reply = (self._last_reply or {}).get("content", {})
        shown = [o for o in probe.outputs if o.get("output_type") == "error"]
        if (
            reply.get("status") == "error"
            and reply.get("ename") == "AssertionError"
            and nonce in str(reply.get("evalue", ""))
            and any(o.get("ename") == "AssertionError" and nonce in str(o.get("evalue")) for o in shown)
        ):
            return True
        if reply.get("status") == "error" and before:
            return None
        return False

    async def _guard(self, index: int, budget_end: float, preamble: list[str]) -> None:
        """Before a test: re-run the set-up cells and check error reporting, in one round trip if possible."""
        magic = any(source.lstrip().startswith("%%") for source in preamble)
        merged = preamble[-1] if preamble and not magic else ""
        for source in preamble if magic else preamble[:-1]:
            await self._run_cell(grader_cell(source), index, budget_end, extra=True)
        verdict = await self._canary(index, budget_end, before=merged)
        if verdict is None:
            verdict = await self._canary(index, budget_end)
        if not verdict:
            self.report.tampered = True

    # -- the checker ---------------------------------------------------------------------------------------
    async def _kernel_json(self, code: str, nonce: str, index: int, budget_end: float, export: bool = False) -> dict:
        """Run trusted ``code`` in the student's kernel as an extra cell; the one JSON block it printed.

        The cell is one line, ``exec(<code as a string literal>)``: IPython's input transformers then read one
        token instead of the encoder's forty lines (the kernel's time per grader cell falls to about a quarter,
        4.4 to 1.2 ms). What runs is the same code, in the student's namespace. Raises ExportProblem (counted in
        the report when the export held more than one block).
        """
        probe = grader_cell(f"exec({code!r})")
        await self._run_cell(probe, index, budget_end, extra=True, export=export)
        capture = self._last_capture or _Capture()
        try:
            return answer_block(capture.text(), nonce, overflow=capture.overflow)
        except ExportProblem as exc:
            if exc.forged:
                self.report.forged_exports += 1
            raise

    async def _check(self, cell: NotebookNode, index: int, budget_end: float) -> None:
        """Run test ``cell`` in the checker on the student's answers taken out as plain data."""
        assert self.checker is not None
        remaining = budget_end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        asked = (await asyncio.wait_for(self.checker.request({"op": "names", "source": cell.source}),
                                        remaining)).get("names", [])
        names = [n for n in asked if isinstance(n, str) and n.isidentifier() and not hasattr(builtins, n)]
        missing = [name for name in names if name not in self._exported]
        if missing:
            nonce = secrets.token_hex(16)
            try:
                exported = await self._kernel_json(export_code(missing, nonce), nonce, index, budget_end,
                                                   export=True)
            except ExportProblem as exc:
                self._finish(cell, [error_output("AnswerError", f"the answers could not be taken out of the "
                                                                f"kernel: {exc}; this test scores 0")])
                return
            self.report.exports += 1
            self._exported.update({name: exported[name] for name in missing if name in exported})
        answers = {name: self._exported[name] for name in names if name in self._exported}  # only what was asked

        async def call(name: str, payload: str, many: bool = False) -> dict:
            if self.report.kernel_died:
                return {"error": ["RuntimeError", "the kernel stopped"]}
            if name not in answers:
                return {"error": ["RuntimeError", f"{name} is not an answer of this test"]}
            nonce = secrets.token_hex(16)
            code = (call_many_code if many else call_code)(name, payload, nonce)
            self.report.calls += 1
            try:
                reply = await self._kernel_json(code, nonce, index, budget_end)
            except ExportProblem as exc:
                return {"error": ["RuntimeError", f"{name}(...) gave no usable value: {exc}"]}
            except (DeadKernelError, RuntimeError) as exc:
                self.report.kernel_died = True
                self.report.notes.append(f"kernel: {exc}"[:300])
                return {"error": ["RuntimeError", f"{name}(...) gave no value (the kernel stopped)"]}
            shapes = ({"values"}, {"values", "error"}) if many else ({"value"}, {"error"})
            if reply.keys() not in shapes or (many and not isinstance(reply["values"], list)):
                return {"error": ["RuntimeError", f"{name}(...) gave no value (a malformed reply)"]}
            return reply

        remaining = budget_end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        reply = await asyncio.wait_for(
            self.checker.request({"op": "test", "source": cell.source, "answers": answers}, on_call=call), remaining)
        outputs = []
        for out in reply.get("outputs", [])[:60]:
            node = nbformat.from_dict(out)
            if node.get("output_type") == "error":
                content = self.budget.error(id(outputs), dict(node))
                if content is None:
                    continue
                node = nbformat.from_dict(content)
            elif not self.budget.charge(id(outputs), size_of(out)):
                self._drop(outputs, out.get("name", "stdout"))
                continue
            if node.get("output_type") == "execute_result":
                node["execution_count"] = self.code_cells_executed + 1
            outputs.append(node)
        if reply.get("status") != "ok" and not any(o.get("output_type") == "error" for o in outputs):
            outputs.append(error_output("GraderError", "the test did not pass in the checker"))
        self._finish(cell, outputs)

    def _finish(self, cell: NotebookNode, outputs: list) -> None:
        """A test cell checked outside the kernel: its outputs, its execution count."""
        cell.outputs = outputs
        self.code_cells_executed += 1
        cell.execution_count = self.code_cells_executed
        self.report.checked_outside += 1

    async def _checker_setup(self, cell: NotebookNode, budget_end: float) -> None:
        """Run an instructor's set-up cell in the checker too; if it cannot, tests go back to the kernel."""
        assert self.checker is not None
        reply = await asyncio.wait_for(self.checker.request({"op": "setup", "source": cell.source}),
                                       max(1.0, budget_end - time.monotonic()))
        if reply.get("status") != "ok":
            err = next((o for o in reply.get("outputs", []) if o.get("output_type") == "error"), {})
            self.report.checker_fallback = (f"set-up cell {cell.metadata.get('nbgrader', {}).get('grade_id')} "
                                            f"fails in the checker ({err.get('ename')}: "
                                            f"{str(err.get('evalue'))[:100]})")
            await self.checker.close()
            self.checker = None

    def _grade_from_status(self, cell: NotebookNode) -> None:
        """In-kernel test: the reply status decides; an error reply puts the error first, no execute_result."""
        reply = (self._last_reply or {}).get("content", {})
        if reply.get("status") == "ok":
            return
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if not errors:
            errors = [error_output(str(reply.get("ename", "Error")), str(reply.get("evalue", ""))[:1000])]
        cell.outputs = errors + [o for o in cell.outputs if o.get("output_type") not in ("error", "execute_result")]

    async def async_grade(self) -> NotebookNode:
        start = time.monotonic()
        budget_end = start + self.wall_seconds
        self.reset_execution_trackers()
        setup = [c.source for c in self.nb.cells if is_setup_cell(c)]
        first_answer = next((i for i, c in enumerate(self.nb.cells) if utils.is_solution(c)), len(self.nb.cells))
        preamble = [c.source for c in self.nb.cells[:first_answer] if is_setup_cell(c)] if setup else []
        self.km.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        try:
            if self.checker is not None:  # the checker imports while the kernel starts
                try:
                    await self.checker.spawn()
                except (CheckerError, OSError, ValueError) as exc:
                    raise CheckerError(f"the checker did not start: {exc}") from exc
            async with self.async_setup_kernel():
                if self.checker is not None:
                    try:
                        await self.checker.ready(self.startup_timeout)
                    except (TimeoutError, CheckerError, OSError, ValueError) as exc:
                        raise CheckerError(f"the checker did not start: {exc}") from exc
                msg_id = await ensure_async(self.kc.kernel_info())
                info = await asyncio.wait_for(self.async_wait_for_reply(msg_id), timeout=self.startup_timeout)
                if info is not None and "language_info" in info["content"]:
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                for index, cell in enumerate(self.nb.cells):
                    if cell.cell_type != "code":
                        continue
                    if self.report.kernel_died or self.report.budget_spent:
                        self._mark_not_run(cell)
                        continue
                    try:
                        if is_test_cell(cell) and self.checker is not None:
                            try:
                                await self._check(cell, index, budget_end)
                            except (CheckerError, ValueError, OSError) as exc:
                                cell.outputs = [error_output("GraderError", f"the checker failed: {exc}"[:300])]
                                self.report.notes.append(f"checker: {exc}"[:300])
                            continue
                        if is_test_cell(cell):
                            await self._guard(index, budget_end, preamble)
                        await self._run_cell(cell, index, budget_end)
                        if is_test_cell(cell):
                            self._grade_from_status(cell)
                        elif is_setup_cell(cell) and self.checker is not None:
                            await self._checker_setup(cell, budget_end)
                    except TimeoutError:
                        self.report.budget_spent = True
                        cell.outputs.append(error_output(
                            "GraderTimeout", f"the notebook used its whole time budget ({self.wall_seconds:g} s)"))
                    except (DeadKernelError, RuntimeError) as exc:
                        self.report.kernel_died = True
                        cell.outputs.append(error_output("DeadKernel", f"the kernel stopped: {exc}"[:300]))
        except (DeadKernelError, RuntimeError, TimeoutError) as exc:
            # the kernel never started, or died during shutdown
            self.report.kernel_died = True
            self.report.notes.append(f"kernel: {exc}"[:300])
            for cell in self.nb.cells:
                if cell.cell_type == "code" and not cell.get("outputs") and cell.get("execution_count") is None:
                    self._mark_not_run(cell)
        finally:
            if self.checker is not None:
                await self.checker.close()
            # we passed our own kernel manager, so nbclient leaves the kernel running: stop it here
            try:
                if self.km.has_kernel:
                    await asyncio.wait_for(self.km.shutdown_kernel(now=True), timeout=30)
            except Exception:  # noqa: BLE001 - the sandbox is reaped by the caller anyway
                pass
        self.report.seconds = time.monotonic() - start
        return self.nb

    def _mark_not_run(self, cell: NotebookNode) -> None:
        self.report.not_run += 1
        cell.outputs = [error_output("NotRun", "this cell was not run (the kernel died or the time ran out)")]


def report_reasons(notebook: str, report: RunReport, wall_seconds: float) -> list[str]:
    """One line per thing that went wrong while ``notebook`` ran (the class summary's and the log's words)."""
    name = f"{notebook}.ipynb"
    out = []
    if report.tampered:
        out.append(f"{name}: the notebook tampered with the kernel's error reporting: its autograded tests score 0")
    if report.forged_exports:
        out.append(f"{name}: {report.forged_exports} answer export(s) held an answer block the notebook printed "
                   "itself (refused): those tests score 0")
    if report.kernel_died:
        notes = "".join(f" [{n}]" for n in report.notes)
        out.append(f"{name}: the kernel stopped (exit, crash or a resource limit); {report.not_run} cell(s) not "
                   f"run score 0{notes}")
    if report.budget_spent:
        out.append(f"{name}: time budget of {wall_seconds:g} s spent; {report.not_run} cell(s) not run score 0")
    if report.truncated_cells:
        out.append(f"{name}: output of {report.truncated_cells} cell(s) truncated")
    if report.checker_fallback:
        out.append(f"{name}: tests ran beside student code ({report.checker_fallback})")
    return out


_ROOT_UIDS: tuple[int | None, int | None] | None = None  # (kernel, checker) uids this process holds, as root


def _own_uids(base: int) -> tuple[int | None, int | None]:
    """Two unprivileged uids (kernel, checker) claimed once per process when we are root, else (None, None)."""
    global _ROOT_UIDS
    if _ROOT_UIDS is None:
        _ROOT_UIDS = (claim_uid(base), claim_uid(base)) if os.geteuid() == 0 else (None, None)
    return _ROOT_UIDS


class SandboxedExecute(GradingClient):
    """The course's Execute step: ``GradingClient`` as an nbgrader preprocessor that makes its own sandbox.

    Set as the first of ``c.Autograde.autograde_preprocessors`` (nbgrader_config.py, see
    ``classroom.grading.nbgrader_steps``), so ``nbgrader autograde`` (command line or formgrader) runs student
    code only here, under the guards grade-class uses; grade-class runs the same step with the kernel and
    checker its worker made (``km=``, ``checker=``). For each notebook, unless given a kernel manager:

    - a fresh sandbox (``classroom.grading.sandbox``: bubblewrap, rlimits, an unprivileged uid of this process
      when run as root) whose working directory holds the assignment's released files only, never the
      student's other files; the checker in a sandbox of its own (its own uid as root);
    - as in a grade-class worker, the process keeps one grading home (``grading_home``), one kernel zygote (as
      root, ``classroom.grading.zygote``) and one checker fork server (``sandboxed_checker``) for all its
      notebooks: each notebook gets a new scratch in that home, removed after it, and a forked kernel that sees
      only that scratch, a fresh /tmp and home;
    - no sandbox on this machine: the step refuses (an error for that notebook, nothing of the student's runs)
      unless ``SandboxedExecute.unsafe_no_sandbox = True``;
    - afterwards the test cells of a notebook that tampered with error reporting get an error output (they
      score 0); what went wrong is logged and kept in ``resources['grader']`` (``report``, ``reasons``).
    """

    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU seconds of the notebook's kernel").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="address space of the kernel, MB").tag(config=True)
    processes = Integer(Limits.processes, help="processes of the sandbox uid").tag(config=True)
    uid_base = Integer(62000, help="as root: unprivileged uids for the sandboxes are taken from here on"
                       ).tag(config=True)
    unsafe_no_sandbox = Bool(False, help="run student code WITHOUT isolation when no sandbox exists (never for "
                                         "real classes)").tag(config=True)

    def limits(self) -> Limits:
        """The sandbox limits these settings give (cell timeout from ``Execute.timeout``)."""
        return Limits(cpu_seconds=self.cpu_seconds, memory_mb=self.memory_mb, processes=self.processes,
                      cell_timeout=int(self.timeout or Limits.cell_timeout), wall_seconds=int(self.wall_seconds),
                      output_bytes=self.output_bytes, notebook_bytes=self.notebook_bytes)

    def preprocess(self, nb: NotebookNode, resources: dict | None = None, km=None):  # type: ignore[override]
        resources = resources if resources is not None else {}
        self.nb = nb
        self._fresh_run()
        if km is not None:
            self.km = km
        if self.km is not None:  # the caller made the kernel and the checker (grade-class's worker)
            self.resources = resources
            run_sync(self.async_grade)()
        else:
            self._grade_in_own_sandbox(resources)
        if self.report.tampered:
            for cell in self.nb.cells:
                if is_test_cell(cell):
                    cell.outputs.append(error_output("GraderTamper", "kernel error reporting was altered"))
        notebook = str(resources.get("nbgrader", {}).get("notebook") or "notebook")
        reasons = report_reasons(notebook, self.report, self.wall_seconds)
        for line in reasons:
            self.log.warning("%s", line)
        resources.setdefault("grader", {}).update(report=self.report, reasons=reasons)
        return self.nb, resources

    def _release_dir(self, resources: dict) -> Path | None:
        """The assignment's released folder (its data files are the sandbox's only files)."""
        assignment = resources.get("nbgrader", {}).get("assignment")
        if not assignment:
            return None
        coursedir = getattr(getattr(self.parent, "parent", None), "coursedir", None)
        if coursedir is None:
            from nbgrader.coursedir import CourseDirectory

            coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
        return path if path.is_dir() else None

    def _grade_in_own_sandbox(self, resources: dict) -> None:
        problem = isolation_problem()
        if problem and not self.unsafe_no_sandbox:
            raise SandboxUnavailable(f"cannot sandbox student code: {problem}; refusing to run it "
                                     "(SandboxedExecute.unsafe_no_sandbox runs it with your rights)")
        home = grading_home()
        # a fresh scratch per notebook, directly inside what this process's zygote serves (as grade-class's)
        scratch = Path(tempfile.mkdtemp(prefix="nb", dir=home / "scratch"))
        boxes: list[Sandbox] = []
        try:
            files.fill_scratch(scratch, self._release_dir(resources))
            limits = self.limits()
            if problem:
                self.log.warning("grading WITHOUT a sandbox (%s): student code runs with your rights", problem)
                from jupyter_client.kernelspec import KernelSpec

                self.km = AsyncKernelManager(kernel_name="python3")
                self.km._kernel_spec = KernelSpec(argv=kernel_argv(sys.executable), language="python",
                                                  display_name="Python 3 (unsandboxed)", interrupt_mode="message")
                self.checker = CheckerProcess(local_argv())
            else:
                uid, checker_uid = _own_uids(self.uid_base)
                sandbox = Sandbox(scratch=scratch, uid=uid, limits=limits, private=home / "etc")
                sandbox.prepare()
                boxes = [sandbox]
                self.km = sandbox.kernel_manager(scratch / ".k")
                _log_start(self.log, "kernel zygote", getattr(self.km, "zygote", None))
                self.checker = sandboxed_checker(home, scratch.name, limits, uid, checker_uid,
                                                 private=home / "etc-checker", fallback_uid=checker_uid, log=self.log)
                if not isinstance(self.checker, CheckerConnection):  # a checker process of its own: reaped too
                    boxes.append(Sandbox(scratch=home / "checkers" / scratch.name, uid=checker_uid))
            # the kernel's working directory is the scratch, never the student's autograded folder
            self.resources = {**resources, "metadata": {**resources.get("metadata", {}), "path": str(scratch)}}
            run_sync(self.async_grade)()
            if getattr(self.km, "zygote", None) is not None and self.km.kernel_source == "fresh":
                self.log.warning("the kernel zygote gave no kernel for this notebook: a fresh sandboxed kernel ran it")
        finally:
            for box in boxes:
                box.reap()
            self.km = None
            shutil.rmtree(scratch, ignore_errors=True)  # what the student's code wrote goes with it
            shutil.rmtree(home / "checkers" / scratch.name, ignore_errors=True)


_HOME: Path | None = None  # this process's grading home (SandboxedExecute's own sandbox)
_FORK_SERVER: ForkServer | None = None  # one checker fork server per grading process
_STARTED: dict[str, int] = {}  # what this process started once (logged): "kernel zygote", "checker fork server"


def grading_home() -> Path:
    """This process's grading home (mode 0o711, removed at exit; a new one if it disappeared).

    ``scratch/`` is what the process's kernel zygote serves (one fresh scratch per notebook directly inside,
    removed after it), ``etc`` the kernel's private /etc/passwd bound at the zygote's start, ``checkers/`` the
    checker fork server's home (classroom.grading.submission lays out a worker's directory the same way).
    """
    global _HOME
    if _HOME is None:
        atexit.register(_remove_home)
    if _HOME is None or not (_HOME / "scratch").is_dir():
        if _HOME is not None:
            shutil.rmtree(_HOME, ignore_errors=True)
        _HOME = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-"))
        os.chmod(_HOME, 0o711)
        (_HOME / "scratch").mkdir(mode=0o711)
    return _HOME


def _remove_home() -> None:
    global _FORK_SERVER
    from classroom.grading import zygote

    zygote.stop_all()  # before its home goes
    if _FORK_SERVER is not None:
        _FORK_SERVER.stop()
        _FORK_SERVER = None
    if _HOME is not None:
        shutil.rmtree(_HOME, ignore_errors=True)


def _log_start(log, what: str, proc) -> None:
    """Log (once each) that this process started a kernel zygote or a checker fork server."""
    pid = getattr(getattr(proc, "proc", None), "pid", None)
    if pid is not None and _STARTED.get(what) != pid:
        _STARTED[what] = pid
        log.info("sandbox: started a %s (pid %d) for this process's notebooks", what, pid)


def sandboxed_checker(workdir: Path, name: str, limits: Limits, uid: int | None, checker_uid: int | None,
                      private: Path | None, fallback_uid: int | None = None, log=None) -> CheckerProcess:
    """A checker for one notebook: forked by this process's fork server (``checker_uid``, never the kernel's
    ``uid``; started in ``workdir/checkers`` on first use), else a checker process of its own in
    ``workdir/checkers/name`` (as ``fallback_uid``, default the kernel's ``uid``)."""
    global _FORK_SERVER
    if checker_uid is not None and checker_uid != uid:
        try:
            server = _FORK_SERVER
            if server is None or not server.alive() or not os.path.exists(server.path):
                if server is not None:
                    server.stop()
                home = workdir / "checkers" / f"server-{checker_uid}"
                shutil.rmtree(home, ignore_errors=True)
                box = Sandbox(scratch=home, uid=checker_uid, limits=limits,
                              private=home.parent / f"etc-{checker_uid}")
                box.prepare()
                path = str(home / "s")
                _FORK_SERVER = ForkServer(box.command([*checker_argv(), "--fork-server", path]),
                                          Sandbox.hide_options, path)
                if log is not None:
                    _log_start(log, "checker fork server", _FORK_SERVER)
            return _FORK_SERVER.connection()
        except (CheckerError, OSError):
            _FORK_SERVER = None  # fall through: a checker process of its own
    checker_dir = workdir / "checkers" / name
    shutil.rmtree(checker_dir, ignore_errors=True)
    checker_box = Sandbox(scratch=checker_dir, uid=uid if fallback_uid is None else fallback_uid, limits=limits,
                          private=private)
    checker_box.prepare()
    return CheckerProcess(checker_box.command(checker_argv()), launch=Sandbox.hide_options)
