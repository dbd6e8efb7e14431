"""The trusted side of notebook execution: talks to a sandboxed kernel, never runs student code itself.

On top of nbgrader's ``Execute`` (per-cell timeout with interrupt, a reply status of 'error' becomes an error
output even when the student silenced IPython's traceback display) this client adds:

- a wall-clock budget for the whole notebook; cells not run (budget spent, kernel died or exited) get an
  error output, so an unexecuted test cell can never count as passed;
- before every autograded test cell it re-runs the instructor's locked set-up cells, undoing a student's
  redefinition of the test helpers those cells define;
- just before every autograded test cell (in the same round trip as the set-up cells) a canary
  ``raise AssertionError(<random>)``: if the kernel does not report it faithfully, the kernel's error
  reporting was tampered with and the notebook is flagged;
- output kept per cell is capped (error outputs are always kept; dropped stderr leaves a stderr note, so a
  cap can never turn a failing cell into a passing one).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass, field

import zmq
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


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
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


@dataclass
class RunReport:
    """What happened while a notebook ran."""

    seconds: float = 0.0
    kernel_died: bool = False
    budget_spent: bool = False
    tampered: bool = False
    not_run: int = 0
    truncated_cells: int = 0
    notes: list[str] = field(default_factory=list)


class GradingClient(Execute):
    """nbgrader's Execute preprocessor driven cell by cell with the guards above."""

    def __init__(self, nb: NotebookNode, km: AsyncKernelManager, wall_seconds: float, output_bytes: int,
                 **kwargs):
        super().__init__(km=km, **kwargs)
        self.nb = nb
        self.wall_seconds = wall_seconds
        self.output_bytes = output_bytes
        self.report = RunReport()
        self._out_bytes: dict[int, int] = {}
        self._noted: set[tuple[int, str]] = set()
        self._last_reply: dict | None = None
        self.shutdown_kernel = "immediate"

    # -- output cap -------------------------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        msg_type = msg["header"]["msg_type"]
        if msg_type == "error":
            content = msg["content"]
            content["traceback"] = list(content.get("traceback", []))[:100]
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self._out_bytes.get(id(outs), 0) + size
        self._out_bytes[id(outs)] = used
        if used <= self.output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        name = msg["content"].get("name", "stdout") if msg_type == "stream" else "stdout"
        key = (id(outs), name)
        if key not in self._noted:
            self._noted.add(key)
            if not any(k[0] == id(outs) for k in self._noted if k != key):
                self.report.truncated_cells += 1
            outs.append(new_output("stream", name=name, text="\n[grader: further output of this cell dropped]\n"))
        return None

    def on_cell_executed(self, **kwargs):  # type: ignore[override]
        self._last_reply = kwargs.get("execute_reply")
        super().on_cell_executed(**kwargs)

    # -- driving the notebook ---------------------------------------------------------------------------
    async def _run_cell(self, cell: NotebookNode, index: int, budget_end: float, extra: bool = False) -> None:
        """Run ``cell`` (the notebook's cell ``index``, or an ``extra`` cell run just before or after it)."""
        remaining = budget_end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self._last_reply = None
        original = self.nb.cells[index]
        try:
            await asyncio.wait_for(
                self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1,
                                        store_history=not extra),
                timeout=remaining,
            )
        finally:
            if extra:
                self.nb.cells[index] = original  # nbclient writes the executed cell back at ``index``

    async def _canary(self, index: int, budget_end: float, before: str = "") -> bool | None:
        """Run ``before`` (instructor code) then ``raise AssertionError(<random>)`` in one cell.

        True when the kernel reports that assertion faithfully, False when it claims success (its error
        reporting was tampered with), None when ``before`` itself failed (then nothing is known).
        """
        nonce = secrets.token_hex(8)
        probe = new_code_cell(f'{before}\nraise AssertionError("grader check {nonce}")'.lstrip("\n"))
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
            await self._run_cell(new_code_cell(source), index, budget_end, extra=True)
        verdict = await self._canary(index, budget_end, before=merged)
        if verdict is None:
            verdict = await self._canary(index, budget_end)
        if not verdict:
            self.report.tampered = True

    async def async_grade(self) -> NotebookNode:
        start = time.monotonic()
        budget_end = start + self.wall_seconds
        self.reset_execution_trackers()
        setup = [c.source for c in self.nb.cells if is_setup_cell(c)]
        first_answer = next((i for i, c in enumerate(self.nb.cells) if utils.is_solution(c)), len(self.nb.cells))
        preamble = [c.source for c in self.nb.cells[:first_answer] if is_setup_cell(c)] if setup else []
        self.km.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        try:
            async with self.async_setup_kernel():
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
                        if is_test_cell(cell):
                            await self._guard(index, budget_end, preamble)
                        await self._run_cell(cell, index, budget_end)
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
