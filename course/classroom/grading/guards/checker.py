"""Guard: tests that a student's process cannot fake (the grader's side of ``checker_main``).

For each autograded test cell the grader asks the checker (a sandboxed process that never runs student code)
which names the test needs from the student, takes those out of the student's kernel as plain data with the
``export_code`` snippet, and runs the test in the checker. Function answers are called in the student's
kernel (``call_code``) with pickled copies of the arguments; only their return value comes back, as plain
data. Nothing the student's kernel prints, hooks or patches can turn a failing assertion into a pass: to
pass, the returned data must be the right answer.

The answer channel is narrow. The student's kernel is theirs, so an export may carry anything they choose
(a hook can read the nonce from the export's own source and print a block of its own): what it cannot do is
win. An export must hold exactly one nonce-delimited block (``answer_block``; two blocks means a print or a
hook of the notebook added one: refused and flagged); the block is read from the grader's own capture of
that export, outside the student's output budget and under a cap of its own (``MAX_EXPORT``); its nesting is
measured before it is parsed (``MAX_JSON_DEPTH``); and only the names the checker asked for cross, which the
checker checks again (``checker_main.Checker.test``: a name the test did not ask for, e.g. one shadowing a
builtin or a set-up helper, is refused). So a forged block can only set the names a test asks for, to plain
data: exactly what the student's answer cell could have done. The only values that enter the student's kernel
are the arguments a test passes to the student's own function answers.
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
MAX_EXPORT = 16 * 1024 * 1024  # characters of one export's (or call's) stdout the grader keeps
MAX_JSON_DEPTH = 200  # JSON nesting of an answer block (the decoder allows 60 levels of answer data)

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


def call_many_code(name: str, payload: str, nonce: str) -> str:
    """Student-side code calling ``name`` on each (args, kwargs) pair of the pickled list, in order, and printing
    the values as tagged JSON; it stops at the first error, as a loop would (``osteonecrosis.exercises.results_of``
    in a test: a hundred calls in one kernel round trip instead of a hundred)."""
    return _ENCODER + f'''
def _grader_calls(name, payload, nonce):
    import base64, json, pickle
    calls = pickle.loads(base64.b64decode(payload))
    values = []
    reply = {{"values": values}}
    try:
        function = globals()[name]
        for args, kwargs in calls:
            values.append(_grader_encode(function(*args, **kwargs)))
    except Exception as exc:
        reply["error"] = [type(exc).__name__, str(exc)[:2000]]
    print(nonce + json.dumps(reply) + nonce)
_grader_calls({name!r}, {payload!r}, {nonce!r})
del _grader_calls, _grader_encode
'''


class ExportProblem(Exception):
    """An answer export (or a call's reply) that cannot be used; ``forged`` when it held more than one block."""

    def __init__(self, message: str, forged: bool = False) -> None:
        super().__init__(message)
        self.forged = forged


_NOT_BRACKET_OR_QUOTE = bytes(b for b in range(256) if b not in b'[]{}"')


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays/objects more than ``limit`` deep (or its brackets do not pair up).

    Measured without parsing and in C-speed steps: escapes dropped, everything but brackets and quotes
    dropped, strings dropped, then passes that each remove the innermost empty pairs. A block nested 300,000
    deep costs ``limit`` passes and never reaches the recursive JSON parser.
    """
    data = text.encode("utf-8", "surrogatepass").replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(data.translate(None, _NOT_BRACKET_OR_QUOTE).split(b'"')[::2])
    for _ in range(limit):
        if not brackets:
            return False
        inner = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if inner == brackets:
            return True  # unpaired brackets: not JSON we accept
        brackets = inner
    return bool(brackets)


def answer_block(text: str, nonce: str, overflow: bool = False) -> dict:
    """The one JSON object printed between two ``nonce`` markers in ``text``; ExportProblem otherwise."""
    if overflow:
        raise ExportProblem(f"it printed more than {MAX_EXPORT // (1024 * 1024)} MB while its answers were taken "
                            "out")
    markers = text.count(nonce)
    if markers == 0:
        raise ExportProblem("no answer block came back (the export did not run to its end)")
    if markers != 2:
        raise ExportProblem(f"{markers} answer markers instead of 2: a print or a hook of the notebook added an "
                            "answer block of its own (refused)", forged=True)
    payload = text.split(nonce)[1]
    if json_too_deep(payload):
        raise ExportProblem(f"the answer is nested more than {MAX_JSON_DEPTH} levels deep (or is not JSON)")
    try:
        value = json.loads(payload)
    except (ValueError, RecursionError):
        raise ExportProblem("the answer block is not valid JSON") from None
    if not isinstance(value, dict):
        raise ExportProblem("the answer block is not a JSON object")
    return value


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
                many = {"many": True} if reply.get("many") is True else {}
                answer = await on_call(reply["name"], reply["payload"], **many) if on_call else {
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
