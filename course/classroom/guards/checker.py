"""Guard: tests that a student's process cannot fake (the grader's side of ``checker_main``).

For each autograded test cell the grader asks the checker (a sandboxed process that never runs student code)
which names the test needs from the student, takes those out of the student's kernel as plain data with the
``export_code`` snippet, and runs the test in the checker. Function answers are called in the student's
kernel (``call_code``) with pickled copies of the arguments; only their return value comes back, as plain
data. Nothing the student's kernel prints, hooks or patches can turn a failing assertion into a pass: to
pass, the returned data must be the right answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

CHECKER_MAIN = Path(__file__).with_name("checker_main.py")
MAX_REPLY = 64 * 1024 * 1024

# Runs in the student's kernel (so the student may change it: whatever it prints is their answer, no more).
_ENCODER = r'''
def _grader_encode(v, d=0):
    import datetime, math, numbers
    if d > 60: raise ValueError("nested too deeply")
    if v is None or isinstance(v, bool): return bool(v) if v is not None else None
    if type(v).__module__ == "numpy" and hasattr(v, "tolist"): return _grader_encode(v.tolist(), d + 1)
    if isinstance(v, numbers.Integral): return int(v)
    if isinstance(v, numbers.Real):
        f = float(v)
        return f if math.isfinite(f) else {"__float__": repr(f)}
    if isinstance(v, str): return str(v)
    if isinstance(v, datetime.datetime): return {"__datetime__": v.isoformat()}
    if isinstance(v, datetime.date): return {"__date__": v.isoformat()}
    if isinstance(v, datetime.timedelta): return {"__timedelta__": [v.days, v.seconds, v.microseconds]}
    if isinstance(v, list): return [_grader_encode(x, d + 1) for x in v]
    if isinstance(v, tuple): return {"__tuple__": [_grader_encode(x, d + 1) for x in v]}
    if isinstance(v, frozenset): return {"__frozenset__": [_grader_encode(x, d + 1) for x in v]}
    if isinstance(v, set): return {"__set__": [_grader_encode(x, d + 1) for x in v]}
    if isinstance(v, dict):
        return {"__dict__": [[_grader_encode(k, d + 1), _grader_encode(x, d + 1)] for k, x in v.items()]}
    if callable(v): return {"__callable__": True}
    raise TypeError("a " + type(v).__name__ + " is not a plain value (number, text, list, dict, date ...)")
'''


def export_code(names: list[str], nonce: str) -> str:
    """Student-side code printing the tagged-JSON value of each of ``names`` between two ``nonce`` markers."""
    return _ENCODER + f'''
def _grader_export(names, nonce):
    import json
    out = {{}}
    g = globals()
    for n in names:
        if n in g:
            try:
                out[n] = _grader_encode(g[n])
            except Exception as exc:
                out[n] = {{"__unsupported__": (n + ": " + str(exc))[:300]}}
    print(nonce + json.dumps(out) + nonce)
_grader_export({names!r}, {nonce!r})
del _grader_export, _grader_encode
'''


def call_code(name: str, payload: str, nonce: str) -> str:
    """Student-side code calling ``name`` with the pickled arguments and printing its value as tagged JSON."""
    return _ENCODER + f'''
def _grader_call(name, payload, nonce):
    import base64, json, pickle
    args, kwargs = pickle.loads(base64.b64decode(payload))
    try:
        reply = {{"value": _grader_encode(globals()[name](*args, **kwargs))}}
    except Exception as exc:
        reply = {{"error": [type(exc).__name__, str(exc)[:2000]]}}
    print(nonce + json.dumps(reply) + nonce)
_grader_call({name!r}, {payload!r}, {nonce!r})
del _grader_call, _grader_encode
'''


def between(text: str, nonce: str) -> dict | None:
    """The JSON object printed between two ``nonce`` markers, or None."""
    parts = text.split(nonce)
    if len(parts) < 3:
        return None
    try:
        value = json.loads(parts[1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class CheckerError(Exception):
    """The checker process failed (a grader problem, never the student's)."""


class CheckerProcess:
    """One checker per notebook; ``argv`` is the (sandboxed) command that runs checker_main.py."""

    def __init__(self, argv: list[str],
                 launch: Callable[[list[str]], tuple[list[str], tuple[int, ...]]] | None = None) -> None:
        self.argv = argv
        self.launch = launch  # e.g. Sandbox.hide_options: the final argv and the fds the child must inherit
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 120) -> None:
        """Spawn the checker and wait until it is ready."""
        await self.spawn()
        await self.ready(timeout)

    async def spawn(self) -> None:
        """Spawn the checker (it imports while the student's kernel starts)."""
        argv: list[str] = self.argv
        fds: tuple[int, ...] = ()
        if self.launch is not None:
            argv, fds = self.launch(self.argv)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, limit=MAX_REPLY, pass_fds=fds)
        finally:
            for fd in fds:
                os.close(fd)

    async def ready(self, timeout: float = 120) -> None:
        """Wait for the checker's first message."""
        ready = await asyncio.wait_for(self._receive(), timeout)
        if ready.get("op") != "ready":
            raise CheckerError("the checker did not start")

    async def _receive(self) -> dict:
        assert self.proc is not None and self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise CheckerError("the checker stopped")
        return json.loads(line)

    async def _send(self, msg: dict) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(msg).encode() + b"\n")
        await self.proc.stdin.drain()

    async def request(self, msg: dict,
                      on_call: Callable[[str, str], Awaitable[dict]] | None = None) -> dict:
        """Send one request; serve the checker's calls of student functions until its reply."""
        await self._send(msg)
        while True:
            reply = await self._receive()
            if reply.get("op") == "call":
                answer = await on_call(reply["name"], reply["payload"]) if on_call else {
                    "error": ["RuntimeError", "no student kernel"]}
                await self._send(answer)
                continue
            return reply

    async def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.stdin is not None:
            self.proc.stdin.close()  # the checker ends on end of input
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            pass  # the sandbox is reaped by uid afterwards


class CheckerConnection(CheckerProcess):
    """A checker forked for this notebook by a ``ForkServer`` (same protocol, over a unix socket)."""

    def __init__(self, path: str) -> None:
        super().__init__([])
        self.path = path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def spawn(self) -> None:
        try:
            self.reader, self.writer = await asyncio.open_unix_connection(self.path, limit=MAX_REPLY)
        except OSError as exc:
            raise CheckerError(f"no checker fork server: {exc}") from exc

    async def _receive(self) -> dict:
        assert self.reader is not None
        line = await self.reader.readline()
        if not line:
            raise CheckerError("the checker stopped")
        return json.loads(line)

    async def _send(self, msg: dict) -> None:
        assert self.writer is not None
        self.writer.write(json.dumps(msg).encode() + b"\n")
        await self.writer.drain()

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()  # the forked checker ends on end of input
            try:
                await asyncio.wait_for(self.writer.wait_closed(), 10)
            except (TimeoutError, OSError):
                pass


class ForkServer:
    """One sandboxed fork server per grading worker: the checker's imports are paid once, not per notebook."""

    def __init__(self, command: list[str], launch: Callable[[list[str]], tuple[list[str], tuple[int, ...]]],
                 path: str) -> None:
        import subprocess

        argv, fds = launch(command)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, pass_fds=fds)
        finally:
            for fd in fds:
                os.close(fd)
        self.path = path
        line = self.proc.stdout.readline() if self.proc.stdout else b""
        if line.strip() != b"ready":
            self.proc.kill()
            raise CheckerError("the checker fork server did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def connection(self) -> CheckerConnection:
        return CheckerConnection(self.path)

    def stop(self) -> None:
        if self.alive():
            self.proc.kill()
        self.proc.wait()


def checker_argv(python: str = "python") -> list[str]:
    """The checker command: its source is passed with ``-c`` (no host path, nothing to bind)."""
    return [python, "-I", "-c", CHECKER_MAIN.read_text()]


def local_argv() -> list[str]:
    """Run the checker without a sandbox (only with --unsafe-no-sandbox, and in unit tests)."""
    return checker_argv(sys.executable)
