"""The adversarial corpus: hostile or broken submissions, each with the score it really earned.

Each case writes one student's submission into the fixture course. ``earned`` is the score that submission
deserves (its honest answers only): the grader must give exactly that, never more. Attacks that try to
escape write files called ``PWNED-<case>`` wherever they can: the tests check none exists afterwards.

The fixture has Q1 (3 points: visible 2 + hidden 1) and Q2 (2 points). Most attacks sit in the Q1 answer
cell with a wrong or missing Q1, and leave a correct Q2, so the score also shows that grading carried on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from classroom.grading.submission import scratch_name

from tests.adversarial.corpus_render import RENDER_CASES
from tests.adversarial.course import (
    ASSIGNMENT,
    GOOD_Q1,
    GOOD_Q2,
    WRONG_Q1,
    WRONG_Q2,
    notebook_with,
    released,
    submission_dir,
    submit,
)


@dataclass(frozen=True)
class Context:
    course: Path
    workdir: Path  # the grader's scratch area (--workdir), so attacks can aim at exact paths
    victim: str  # a well-behaved student whose work the attacks try to read or spoil


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # what the issue calls it
    expected: float  # the score the grader must give
    build: Callable[[Path, str, Context], None]
    earned: float | None = None  # what its honest answers are worth, when more than ``expected``

    @property
    def ceiling(self) -> float:
        return self.expected if self.earned is None else self.earned


def _q1_attack(code: str, q2: str = GOOD_Q2) -> Callable[[Path, str, Context], None]:
    def build(course: Path, student: str, ctx: Context) -> None:
        submit(course, student, notebook_with(course, code.format(**_paths(ctx, student)), q2))

    return build


def _paths(ctx: Context, student: str) -> dict[str, str]:
    return {
        "course": str(ctx.course),
        "workdir": str(ctx.workdir),
        "victim_nb": str(ctx.course / "submitted" / ctx.victim / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "victim_scratch": str(ctx.workdir / "scratch" / scratch_name(ctx.victim)),
        "source_nb": str(ctx.course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "name": student,
    }


# If any of these reads succeeds, the attack copies the answers it found and would earn Q1's 3 points.
STEAL = '''
import json, os
stolen = None
for path in {targets!r}:
    try:
        with open(path) as fh:
            text = fh.read()
        stolen = text
    except Exception:
        pass
for root in ({course!r}, {workdir!r}, "/work", "/root", "/home"):
    try:
        os.listdir(root)
        open(os.path.join(root, "PWNED-{name}"), "w").write("listed")
    except Exception:
        pass
if stolen is not None:
    def persisting_long_enough(weeks):
        return weeks > 8
'''


def _steal(*keys: str) -> Callable[[Path, str, Context], None]:
    def build(course: Path, student: str, ctx: Context) -> None:
        paths = _paths(ctx, student)
        targets = {
            "source": [paths["source_nb"], f"{paths['course']}/nbgrader_config.py"],
            "gradebook": [f"{paths['course']}/gradebook.db", f"{paths['workdir']}/template.db",
                          f"{paths['workdir']}/private/{student}/gradebook.db"],
            "victim": [paths["victim_nb"], f"{paths['victim_scratch']}/.k/kernel.json"],
        }
        wanted = [t for key in keys for t in targets[key]]
        code = STEAL.format(targets=wanted, course=paths["course"], workdir=paths["workdir"], name=student)
        submit(course, student, notebook_with(course, code, GOOD_Q2))

    return build


WRITE_OUTSIDE = '''
import os
targets = [{course!r} + "/PWNED-{name}", {course!r} + "/nbgrader_config.py", {course!r} + "/gradebook.db",
           {victim_nb!r}, {workdir!r} + "/template.db", {workdir!r} + "/PWNED-{name}",
           "/tmp/PWNED-{name}", "/home/student/../PWNED-{name}", "/PWNED-{name}"]
for path in targets:
    try:
        with open(path, "a") as fh:
            fh.write("PWNED")
    except Exception:
        pass
'''

FORK_BOMB = '''
import os, time
children = 0
for _ in range(100000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(20)
        os._exit(0)
    children += 1
print("children", children)
'''

MEMORY_BOMB = '''
hog = []
while True:
    hog.append(bytearray(50 * 1024 * 1024))
'''

HUGE_OUTPUT = '''
line = "spam " * 100
for _ in range(200000):
    print(line)
'''

NETWORK = '''
import socket, urllib.request
ok = False
for host, port in (("pypi.org", 443), ("1.1.1.1", 53), ("127.0.0.1", 5432)):
    try:
        socket.create_connection((host, port), timeout=3).close()
        ok = True
    except OSError:
        pass
if ok:
    def persisting_long_enough(weeks):
        return weeks > 8
'''

SLEEP_FOREVER = '''
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
time.sleep(10 ** 6)
'''

KILL_PARENT = '''
import os, signal
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
os.kill(-1, signal.SIGKILL)
'''

HIDE_ERRORS = '''
import sys
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip._showtraceback = lambda *a, **k: None
sys.excepthook = lambda *a: None
sys.stderr = open("/dev/null", "w")
''' + WRONG_Q1

SWALLOW_ERRORS = '''
def _swallow(lines):
    body = ["    " + line for line in lines] or ["    pass\\n"]
    return ["try:\\n"] + body + ["\\nexcept BaseException:\\n    pass\\n"]
get_ipython().input_transformers_post.append(_swallow)
''' + WRONG_Q1

REDEFINE_HELPERS = '''
def check_equal(*args, **kwargs):
    return None
''' + WRONG_Q1

DISK_FILL = '''
with open("big.bin", "wb") as fh:
    for _ in range(1000):
        fh.write(b"0" * (1024 * 1024))
''' + WRONG_Q1


def _edit_locked(course: Path, student: str, ctx: Context) -> None:
    nb = notebook_with(course, WRONG_Q1, GOOD_Q2)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "setup":
            cell.source = "def check_equal(*args, **kwargs):\n    pass"
        if meta.get("grade_id", "").startswith("test_q1"):
            cell.source = "pass"
            meta["points"] = 100
            meta["locked"] = False
    submit(course, student, nb)


def _delete_locked(course: Path, student: str, ctx: Context) -> None:
    nb = notebook_with(course, WRONG_Q1, GOOD_Q2)
    nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_q1")]
    submit(course, student, nb)


def _duplicate_ids(course: Path, student: str, ctx: Context) -> None:
    nb = notebook_with(course, WRONG_Q1, GOOD_Q2)
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_q1_visible":
            fake = nbformat.from_dict(json.loads(json.dumps(cell)))
            fake.source = "pass"
            fake.id = "fake-test"
            cells.append(cell)
            cells.append(fake)  # a second cell with the same grade id, after the real one
            continue
        if meta.get("grade_id") == "answer_q1":
            twin = nbformat.from_dict(json.loads(json.dumps(cell)))
            twin.source = GOOD_Q1 + "\nraise SystemExit"  # an answer cell twin is not an answer
            twin.id = "twin-answer"
            cells.append(twin)
        cells.append(cell)
    nb.cells = cells
    submit(course, student, nb)


def _invalid_json(course: Path, student: str, ctx: Context) -> None:
    (submission_dir(course, student) / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [ {"cell_type": "code",')


def _missing_notebook(course: Path, student: str, ctx: Context) -> None:
    (submission_dir(course, student) / "notes.txt").write_text("I forgot to attach my notebook.\n")


def _wrong_kernelspec(course: Path, student: str, ctx: Context) -> None:
    nb = notebook_with(course, GOOD_Q1, WRONG_Q2)
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nb.metadata["language_info"] = {"name": "R"}
    submit(course, student, nb)


def _symlink_to_solution(course: Path, student: str, ctx: Context) -> None:
    target = course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    (submission_dir(course, student) / f"{ASSIGNMENT}.ipynb").symlink_to(target)


CASES: list[Case] = [
    Case("infinite_loop", "infinite loop", 2, _q1_attack("while True:\n    pass")),
    Case("sleep_forever", "sleep forever (SIGINT ignored)", 0, _q1_attack(SLEEP_FOREVER), earned=2),
    Case("memory_bomb", "memory bomb", 2, _q1_attack(MEMORY_BOMB)),
    Case("fork_bomb", "fork bomb", 2, _q1_attack(FORK_BOMB)),
    Case("huge_output", "huge output", 2, _q1_attack(HUGE_OUTPUT)),
    Case("disk_fill", "writing a huge file", 2, _q1_attack(DISK_FILL)),
    Case("network", "a network call", 2, _q1_attack(NETWORK)),
    Case("read_solutions", "reading solutions/ (the source)", 2, _steal("source")),
    Case("read_gradebook", "reading the gradebook", 2, _steal("gradebook")),
    Case("read_other_student", "reading another student's submission", 2, _steal("victim")),
    Case("write_outside", "writing outside its directory", 2, _q1_attack(WRITE_OUTSIDE)),
    Case("edit_locked", "editing locked cells (tests, helpers, points)", 2, _edit_locked),
    Case("delete_locked", "deleting locked test cells", 2, _delete_locked),
    Case("duplicate_ids", "duplicated grade ids", 2, _duplicate_ids),
    Case("invalid_json", "invalid JSON", 0, _invalid_json),
    Case("missing_notebook", "a missing notebook", 0, _missing_notebook),
    Case("wrong_kernelspec", "a wrong kernelspec", 3, _wrong_kernelspec),
    Case("sys_exit", "sys.exit", 2, _q1_attack("import sys\nsys.exit(0)")),
    Case("os_exit", "os._exit", 0, _q1_attack("import os\nos._exit(0)"), earned=2),
    Case("kill_parent", "killing its parent (and every process it may signal)", 2, _q1_attack(KILL_PARENT)),
    Case("hide_errors", "patching IPython's error display", 2, _q1_attack(HIDE_ERRORS)),
    Case("swallow_errors", "rewriting every later cell to swallow errors", 2, _q1_attack(SWALLOW_ERRORS)),
    Case("redefine_helpers", "redefining test helpers", 0, _q1_attack(REDEFINE_HELPERS, q2=WRONG_Q2)),
    Case("symlink_solution", "a notebook that is a link to the solution", 0, _symlink_to_solution),
]


# -- issue 12: forged marks, a bounded trusted side, active content, fairness -----------------------------------
SHADOW_FILES = {
    # would run instead of the real launcher if the scratch came first on sys.path: forge every test
    "ipykernel_launcher.py": "import sys\nopen('/tmp/PWNED-shadow', 'w').write('x')\nsys.exit(0)\n",
    "osteonecrosis/__init__.py": "raise SystemExit('PWNED: shadowed the course package')\n",
    "ipykernel/__init__.py": "raise SystemExit('PWNED: shadowed ipykernel')\n",
    "helpers.py": "def check_equal(*a, **k):\n    return None\n",
}


def _shadow_imports(course: Path, student: str, ctx: Context) -> None:
    """An untouched notebook plus files that would shadow imports (issue 12: forged full marks)."""
    submit(course, student, released(course))
    base = submission_dir(course, student)
    for rel, text in SHADOW_FILES.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text)


SHADOW_IMPORT_IN_ANSWER = """
import sys
sys.path.insert(0, ".")
try:
    from helpers import check_equal   # a submitted file: never in the scratch, so this fails
except ImportError:
    pass
""" + WRONG_Q1

PRE_RUN_DISPLAYHOOK = """
ip = get_ipython()
ip.events.register("pre_run_cell", lambda info: ip.displayhook("ok"))
""" + WRONG_Q1

POST_RUN_FORGE = """
from IPython.display import clear_output
ip = get_ipython()
def _forge(result):
    if result.error_in_exec is not None and getattr(result.info, "store_history", False):
        clear_output()
        result.error_in_exec = None
ip.events.register("post_run_cell", _forge)
""" + WRONG_Q1

ALWAYS_EQUAL = """
class _Yes:
    def __eq__(self, other):
        return True
    def __bool__(self):
        return True
def persisting_long_enough(weeks):
    return _Yes()
"""

MOVE_EXPECTED = """
import builtins, sys
builtins.AssertionError = type("AssertionError", (Exception,), dict())
def _quiet(*a, **k):
    return None
for _name, _mod in list(sys.modules.items()):
    try:
        setattr(_mod, "check_equal", _quiet)
    except Exception:
        pass
""" + WRONG_Q1

DISPLAY_MULTIPLY = """
from IPython.display import display, update_display
for i in range(300):
    display("tiny", display_id="same")
update_display("x" * 2_000_000, display_id="same")
for i in range(300):
    display("tiny", display_id="id%d" % i)
for i in range(300):
    update_display("y" * 300_000, display_id="id%d" % i)
"""

HUGE_ERRORS = """
ip = get_ipython()
for _ in range(8):
    try:
        raise ValueError("E" * 5_000_000)
    except ValueError:
        ip.showtraceback()
"""

ACTIVE_CONTENT = """
from IPython.display import HTML, Javascript, Markdown, display
display(HTML("<scr" + "ipt>window.PWNED_JS = 1</scr" + "ipt><img src=x one" + "rror='PWNED_ERR()'>"))
display(Javascript("window.PWNED_JSOUT = 1"))
display(Markdown("[click](java" + "script:PWNED_URL())"))
""" + WRONG_Q1

PROC1_CMDLINE = """
cmdline = open("/proc/1/cmdline", "rb").read().decode(errors="replace")
if any(word in cmdline for word in ({course!r}, {workdir!r}, "--bind", "--ro-bind", "/work/", ".venv")):
    def persisting_long_enough(weeks):
        return weeks > 8
"""

BUSY_CHILDREN = """
import os, time
for _ in range(8):
    try:
        if os.fork() == 0:
            try:
                os.setsid()  # its own session, so its own scheduler autogroup (refused in the sandbox)
            except OSError:
                pass
            end = time.time() + 20
            while time.time() < end:
                pass
            os._exit(0)
    except OSError:
        break
"""


def _fifo_notebook(course: Path, student: str, ctx: Context) -> None:
    os.mkfifo(submission_dir(course, student) / f"{ASSIGNMENT}.ipynb")


def _hardlink_solution(course: Path, student: str, ctx: Context) -> None:
    os.link(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
            submission_dir(course, student) / f"{ASSIGNMENT}.ipynb")


def _active_content(course: Path, student: str, ctx: Context) -> None:
    nb = notebook_with(course, ACTIVE_CONTENT, GOOD_Q2)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        "<scr" + "ipt>PWNED_MD()</scr" + "ipt> <b onclick='PWNED_CLICK()'>b</b> [x](javascript:PWNED_MDURL())"))
    submit(course, student, nb)


ISSUE_12: list[Case] = [
    Case("shadow_imports", "files shadowing ipykernel_launcher, osteonecrosis, ipykernel, helpers", 0,
         _shadow_imports),
    Case("shadow_import_answer", "importing a submitted helper module from the answer", 2,
         _q1_attack(SHADOW_IMPORT_IN_ANSWER)),
    Case("pre_run_displayhook", "a pre_run_cell hook emitting an execute_result", 2,
         _q1_attack(PRE_RUN_DISPLAYHOOK)),
    Case("post_run_forge", "a post_run_cell hook clearing failed test cells", 2, _q1_attack(POST_RUN_FORGE)),
    Case("always_equal", "an answer object that equals everything", 2, _q1_attack(ALWAYS_EQUAL)),
    Case("move_expected", "changing what the tests use inside the kernel (builtins, helpers in modules)", 2,
         _q1_attack(MOVE_EXPECTED)),
    Case("display_multiply", "display_id copies multiplied by update_display", 2, _q1_attack(DISPLAY_MULTIPLY)),
    Case("huge_errors", "eight 5 MB error outputs", 2, _q1_attack(HUGE_ERRORS)),
    Case("fifo_notebook", "a named pipe in place of the notebook", 0, _fifo_notebook),
    Case("hardlink_solution", "a hard link to the solution", 0, _hardlink_solution),
    Case("active_content", "scripts, event handlers and Javascript outputs", 2, _active_content),
    Case("proc1_cmdline", "host paths in /proc/1/cmdline", 2, _q1_attack(PROC1_CMDLINE)),
    Case("busy_children", "busy children in their own sessions", 2, _q1_attack(BUSY_CHILDREN)),
]
CASES += ISSUE_12
CASES += [Case(c.name, c.kind, c.expected, c.build) for c in RENDER_CASES]  # issue 18: rendering

from tests.adversarial.corpus_channel import CHANNEL  # noqa: E402 - issue 18: the answer channel, budgets

CASES += CHANNEL
