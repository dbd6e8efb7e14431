"""The checker process: runs an assignment's set-up and test cells, and never any student code.

Started (sandboxed) once per notebook by ``classroom.grading.guards.checker``; it talks newline-delimited JSON over
its stdin/stdout. The student's answers arrive as plain data (``decode``: JSON with tagged tuples, sets,
dicts, dates); a function answer becomes a stub that asks the grader to call the real function in the
student's kernel with pickled copies of the arguments, and gets the return value back as plain data. So a
test's assertions, the helpers they use and the expected values all live in a process the student's code
never touched: hooks, patched modules, objects whose ``__eq__`` always says True, edited knowledge bases in the
student's kernel change nothing here. Only this file's own imports are used (it runs as a script).

Requests: ``{"op": "setup", "source"}``, ``{"op": "names", "source"}`` (names a test needs from the student),
``{"op": "test", "source", "answers"}`` (``answers`` may hold only those names: any other, e.g. one shadowing
a builtin or a set-up helper, is refused and the test fails). While a test runs the checker may send
``{"op": "call", "name", "payload"}`` and waits for ``{"value"}`` or ``{"error": [ename, evalue]}`` (with
``"many": true``, the payload lists several calls and the reply is ``{"values", "error"?}``). Every
request ends with a reply holding ``status`` and, for tests, ``outputs`` (notebook outputs).
"""

from __future__ import annotations

import ast
import base64
import builtins
import datetime as dt
import json
import math
import os
import pickle
import sys
from typing import Any

MAX_TEXT = 200_000  # characters of stdout/stderr kept per test
MAX_DEPTH = 60
# A failing test's traceback in IPython's "Plain" mode: each frame's file, line and source line, and the error.
# "Context" (the kernel's default) renders five lines of highlighted source around every frame: 20-70 ms of
# Pygments and stack_data per failing test, most of a stub notebook's checker time, for lines the test cell
# already shows.
TRACEBACK_MODE = "Plain"


class AnswerError(Exception):
    """A student's answer that is not plain data."""


def decode(obj: Any, depth: int = 0) -> Any:
    """Plain Python data from the tagged JSON the student's kernel sent; never anything executable."""
    if depth > MAX_DEPTH:
        raise AnswerError("the answer is nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [decode(x, depth + 1) for x in obj]
    if type(obj) is not dict or len(obj) != 1:
        raise AnswerError("malformed answer data")
    (tag, value), = obj.items()
    if tag == "__tuple__" and type(value) is list:
        return tuple(decode(x, depth + 1) for x in value)
    if tag in ("__set__", "__frozenset__") and type(value) is list:
        items = [decode(x, depth + 1) for x in value]
        try:
            return set(items) if tag == "__set__" else frozenset(items)
        except TypeError as exc:
            raise AnswerError(f"unhashable set member: {exc}") from None
    if tag == "__dict__" and type(value) is list:
        out = {}
        for pair in value:
            if type(pair) is not list or len(pair) != 2:
                raise AnswerError("malformed dict data")
            try:
                out[decode(pair[0], depth + 1)] = decode(pair[1], depth + 1)
            except TypeError as exc:
                raise AnswerError(f"unhashable dict key: {exc}") from None
        return out
    if tag == "__float__" and value in ("nan", "inf", "-inf"):
        return float(value)
    try:
        if tag == "__date__" and type(value) is str:
            return dt.date.fromisoformat(value)
        if tag == "__datetime__" and type(value) is str:
            return dt.datetime.fromisoformat(value)
        if tag == "__timedelta__" and type(value) is list and len(value) == 3 and all(type(v) is int for v in value):
            return dt.timedelta(days=value[0], seconds=value[1], microseconds=value[2])
    except (ValueError, OverflowError) as exc:
        raise AnswerError(f"bad date or time: {exc}") from None
    if tag == "__unsupported__" and type(value) is str:
        raise AnswerError(value[:300])
    raise AnswerError(f"unknown answer tag {tag[:40]!r}")


def encode(value: Any, depth: int = 0) -> Any:
    """The same tagged JSON (used for checker-side unit tests and for the student-side snippet's twin)."""
    if depth > MAX_DEPTH:
        raise AnswerError("nested too deeply")
    if value is None or isinstance(value, bool) or type(value) in (int, str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, (set, frozenset)):
        tag = "__set__" if isinstance(value, set) else "__frozenset__"
        return {tag: [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"__timedelta__": [value.days, value.seconds, value.microseconds]}
    raise AnswerError(f"a {type(value).__name__} is not plain data")


class _Channel:
    def __init__(self, sock=None) -> None:
        if sock is not None:  # a connection accepted by the fork server
            self.inp, self.out = sock.makefile("rb"), sock.makefile("wb")
            return
        self.inp = os.fdopen(os.dup(0), "rb")
        self.out = os.fdopen(os.dup(1), "wb")
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(2, 1)  # stray writes to fd 1 never corrupt the protocol

    def send(self, msg: dict) -> None:
        self.out.write(json.dumps(msg).encode() + b"\n")
        self.out.flush()

    def receive(self) -> dict:
        line = self.inp.readline()
        if not line:
            raise SystemExit(0)
        return json.loads(line)


def _remote_exception(ename: str, evalue: str) -> BaseException:
    cls = getattr(builtins, ename, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
        try:
            return cls(evalue)
        except Exception:  # noqa: BLE001 - some builtin exceptions need other arguments
            pass
    return RuntimeError(f"{ename}: {evalue}")


class Checker:
    def __init__(self, channel: _Channel) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        self.channel = channel
        self.shell = InteractiveShell.instance()
        self.shell.enable_gui = lambda gui=None: None
        self.shell.showtraceback = lambda *a, **k: None
        self.shell.InteractiveTB.set_mode(TRACEBACK_MODE)
        self.shell.displayhook.write_output_prompt = lambda: None
        self.shell.displayhook.write_format_data = lambda *a, **k: None
        # IPython keeps a second formatted copy of every error for its history (%tb): the checker's history is
        # never read, and its test outputs carry the traceback formatted in _run
        self.shell._format_exception_for_storage = lambda *a, **k: {}
        self.base_names = set(self.shell.user_ns)

    def _run(self, source: str) -> tuple[Any, dict]:
        from IPython.utils.capture import capture_output

        with capture_output() as cap:
            result = self.shell.run_cell(source, store_history=True)
        outputs: list[dict] = []
        if cap.stdout:
            outputs.append({"output_type": "stream", "name": "stdout", "text": cap.stdout[:MAX_TEXT]})
        if cap.stderr:
            outputs.append({"output_type": "stream", "name": "stderr", "text": cap.stderr[:MAX_TEXT]})
        for rich in cap.outputs[:50]:
            data = {k: v for k, v in rich.data.items() if isinstance(v, str) and len(v) <= MAX_TEXT}
            if data:
                outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            try:
                tb = self.shell.InteractiveTB.structured_traceback(type(error), error, error.__traceback__)
            except Exception:  # noqa: BLE001 - fall back to a one-line traceback
                tb = [f"{type(error).__name__}: {error}"]
            outputs.append({"output_type": "error", "ename": type(error).__name__, "evalue": str(error)[:MAX_TEXT],
                            "traceback": [line[:MAX_TEXT] for line in tb[-30:]]})
        elif result.result is not None:
            outputs.append({"output_type": "execute_result", "metadata": {}, "execution_count": None,
                            "data": {"text/plain": repr(result.result)[:MAX_TEXT]}})
        return error, {"status": "error" if error is not None else "ok", "outputs": outputs}

    def names(self, source: str) -> list[str]:
        """Free names of ``source`` that neither the set-up cells nor Python define: the student's answers."""
        try:
            code = self.shell.transform_cell(source)
            tree = ast.parse(code)
        except SyntaxError:
            return []
        loaded: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in loaded:
                loaded.append(node.id)
        return [n for n in loaded if n not in self.shell.user_ns and not hasattr(builtins, n)]

    def _stub(self, name: str):
        channel = self.channel

        def call(*args, **kwargs):
            try:
                payload = base64.b64encode(pickle.dumps((args, kwargs))).decode()
            except Exception as exc:  # noqa: BLE001 - e.g. a lambda as an argument
                raise TypeError(f"the grader cannot pass these arguments to {name}: {exc}") from None
            channel.send({"op": "call", "name": name, "payload": payload})
            reply = channel.receive()
            if "error" in reply:
                ename, evalue = reply["error"]
                raise _remote_exception(str(ename), str(evalue))
            return decode(reply.get("value"))

        def many(calls: list[tuple]) -> list:
            """``[call(*args) for args in calls]`` in one round trip (what ``results_of`` uses)."""
            calls = [tuple(args) for args in calls]
            try:
                payload = base64.b64encode(pickle.dumps([(args, {}) for args in calls])).decode()
            except Exception as exc:  # noqa: BLE001 - e.g. a lambda as an argument
                raise TypeError(f"the grader cannot pass these arguments to {name}: {exc}") from None
            channel.send({"op": "call", "name": name, "payload": payload, "many": True})
            reply = channel.receive()
            values = reply.get("values")
            if not isinstance(values, list) or len(values) > len(calls):
                raise RuntimeError(f"{name}(...) gave no usable values")
            if "error" in reply:
                ename, evalue = reply["error"]
                raise _remote_exception(str(ename), str(evalue))
            if len(values) != len(calls):
                raise RuntimeError(f"{name}(...) gave no value for some of its calls")
            return [decode(v) for v in values]

        call.__name__ = call.__qualname__ = name
        call.grader_batch = many
        return call

    def refused(self, wanted: list[str], name: str) -> str | None:
        """Why ``name`` may not be injected for a test asking for ``wanted``, or None (only those may)."""
        if not isinstance(name, str) or not name.isidentifier():
            return "not a name (refused)"
        if hasattr(builtins, name):
            return "shadows a Python builtin (refused)"
        if name in self.shell.user_ns:
            return "is the grader's own (set-up or checker) name (refused)"
        if name not in wanted:
            return "is not an answer this test asks for (refused)"
        return None

    def test(self, source: str, answers: dict) -> dict:
        injected = []
        problems = []
        wanted = self.names(source)
        for name, data in answers.items():
            reason = self.refused(wanted, name)
            if reason is not None:
                problems.append(f"{str(name)[:60]} {reason}")
                continue
            if isinstance(data, dict) and data.keys() == {"__callable__"}:
                value = self._stub(name)
            else:
                try:
                    value = decode(data)
                except AnswerError as exc:
                    problems.append(f"{name}: {exc}")
                    continue
            self.shell.user_ns[name] = value
            injected.append(name)
        try:
            if problems:
                msg = "; ".join(problems)
                return {"status": "error", "outputs": [{
                    "output_type": "error", "ename": "AnswerError", "evalue": msg,
                    "traceback": [f"AnswerError: the grader checks answers that are plain values ({msg})"]}]}
            return self._run(source)[1]
        finally:
            for name in injected:
                self.shell.user_ns.pop(name, None)

    def serve(self) -> None:
        self.channel.send({"op": "ready"})
        while True:
            msg = self.channel.receive()
            op = msg.get("op")
            if op == "setup":
                reply = self._run(msg["source"])[1]
            elif op == "names":
                reply = {"status": "ok", "names": self.names(msg["source"])}
            elif op == "test":
                reply = self.test(msg["source"], msg.get("answers", {}))
            else:
                reply = {"status": "error", "outputs": []}
            reply["op"] = "reply"
            self.channel.send(reply)


def serve_forks(path: str) -> None:
    """A fork server: imports once, then forks a fresh checker for every connection on the socket ``path``.

    Each child is a new checker (its own shell, nothing from an earlier notebook); the server itself never
    runs a test. It lives as long as the grading worker that started it (bubblewrap --die-with-parent).
    """
    import signal
    import socket

    import IPython.utils.capture  # noqa: F401 - imported once, before the forks
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    try:
        import osteonecrosis  # noqa: F401 - what the set-up cells import, when it is there
        import osteonecrosis.exercises  # noqa: F401
        import osteonecrosis.teaching  # noqa: F401
    except Exception:  # noqa: BLE001 - a course without it still works, only slower
        pass
    try:  # format one traceback of our own: what formatting loads is loaded once, not in every checker's first error
        from IPython.core.ultratb import AutoFormattedTB

        try:
            raise AssertionError("warm-up")
        except AssertionError as exc:
            AutoFormattedTB(mode=TRACEBACK_MODE, theme_name="neutral").structured_traceback(type(exc), exc,
                                                                                         exc.__traceback__)
    except Exception:  # noqa: BLE001 - only a warm-up
        pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    os.write(1, b"ready\n")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                Checker(_Channel(conn)).serve()
            finally:
                os._exit(0)
        conn.close()


def main() -> None:
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    sys.setrecursionlimit(3000)
    if len(sys.argv) > 2 and sys.argv[1] == "--fork-server":
        serve_forks(sys.argv[2])
    else:
        Checker(_Channel()).serve()


if __name__ == "__main__":
    main()
