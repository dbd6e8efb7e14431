"""Course execution benchmark: every course notebook headless, one after another, as a student's kernel would.

Prints the time of each notebook and the total, and whether the whole course stays under the 90-second goal
(issue 3). Never asserts: the figure is for reading, and tests do not time anything.

Notebooks run through :func:`classroom.site.execute` (the static-site builder's path), with one change to the
client: it waits for each cell's reply in short slices instead of one long wait. With jupyter_client 8 /
pyzmq 27 the asyncio wait on the shell socket sometimes misses the wake-up of a reply that has arrived: the
kernel is idle, yet the client sleeps until the cell timeout (120 s) and only then reads the reply, so one
notebook in a run took ~124 s instead of ~4 s. The bench counts those stalls ('recovered waits') and prints
them, so a slow run is not mistaken for a slow course.
"""

from __future__ import annotations

import asyncio
import os
import time
from queue import Empty
from typing import Any

from nbclient import NotebookClient
from nbclient.client import timestamp
from nbclient.exceptions import CellTimeoutError
from nbclient.util import ensure_async

GOAL_SECONDS = 90.0
POLL_SLICE_SECONDS = 0.25


class SlicedWaitClient(NotebookClient):
    """A NotebookClient that polls for each execute reply in short slices (same timeout overall)."""

    recovered_waits = 0  # replies read after the kernel went idle and a whole slice passed without a wake-up

    async def _async_poll_for_reply(self, msg_id: str, cell: Any, timeout: int | None,
                                    task_poll_output_msg: Any, task_poll_kernel_alive: Any) -> dict[str, Any]:
        assert self.kc is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        idle_slices = 0
        while True:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=POLL_SLICE_SECONDS))
            except Empty:
                if task_poll_output_msg.done():
                    idle_slices += 1  # the kernel said 'idle' but no reply woke us: check again next slice
                if deadline is not None and time.monotonic() > deadline:
                    task_poll_kernel_alive.cancel()
                    await self._async_check_alive()
                    raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", timeout,
                                                                       cell) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if idle_slices:
                SlicedWaitClient.recovered_waits += 1
            if self.record_timing:
                cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(msg)
            try:
                await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout)
            except (TimeoutError, Empty):
                self.log.warning("Timeout waiting for IOPub output")
            task_poll_kernel_alive.cancel()
            return msg


def run() -> None:
    from classroom import site
    from classroom.site import SiteError, course_notebooks, execute

    paths = course_notebooks()
    if not paths:
        print("course: no notebooks found")
        return
    site.NotebookClient = SlicedWaitClient  # the site's own execute(), with the sliced wait for replies
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  (load average at start: {load:.1f} on {os.cpu_count()} cores; other work on the machine slows this)")
    start = time.perf_counter()
    rows: list[tuple[str, str]] = []
    try:
        for path in paths:
            try:
                ex = execute(path)
                rows.append((path.name, f"{ex.seconds:6.1f} s"))
            except SiteError as exc:
                rows.append((path.name, f"FAILED ({exc})"))
            print(f"  {rows[-1][0]:<40} {rows[-1][1]}", flush=True)
    finally:
        site.NotebookClient = NotebookClient
    total = time.perf_counter() - start
    verdict = "under" if total < GOAL_SECONDS else "OVER"
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  (load average at the end: {load_end:.1f}; cell replies whose wake-up was lost and recovered by the "
          f"sliced wait: {SlicedWaitClient.recovered_waits})")
    print(f"course: {len(paths)} notebooks, total {total:.1f} s wall (kernel start-up included): "
          f"{verdict} the {GOAL_SECONDS:.0f} s goal")


if __name__ == "__main__":
    run()
