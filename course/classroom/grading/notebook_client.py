"""A notebook client that does not oversleep.

With jupyter_client 8 / pyzmq 27, nbclient's single long asyncio wait on the shell socket sometimes misses
the wake-up of an execute reply that has already arrived: the kernel is idle, yet the client sleeps until
the cell timeout and only then reads the reply (about 120 s lost per stall). This client waits for each reply
in short slices instead, with the same overall timeout, and counts the replies it read late. The course's
site builder, notebook tests and course benchmark all execute notebooks through it.
"""

from __future__ import annotations

import asyncio
import time
from queue import Empty
from typing import Any

from nbclient import NotebookClient
from nbclient.client import timestamp
from nbclient.util import ensure_async

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
                if deadline is None or time.monotonic() <= deadline:
                    continue
                # the cell timed out: as nbclient does (interrupt_on_timeout interrupts the kernel and, with
                # error_on_timeout, the cell ends with that error; without interrupting, CellTimeoutError)
                task_poll_kernel_alive.cancel()
                await self._async_check_alive()
                timed_out = await self._async_handle_timeout(timeout, cell)
                if timed_out is None:
                    deadline = time.monotonic() + timeout  # interrupted: wait for the cell's own reply
                    continue
                msg = {**timed_out, "parent_header": {"msg_id": msg_id}}
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
