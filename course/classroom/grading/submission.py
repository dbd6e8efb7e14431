"""Grade one student's submission: sanitize (trusted), execute (sandboxed kernel), score (trusted).

Runs in a worker process of the grader. Student code runs only in the sandboxed kernel. The worker keeps a
private per-submission gradebook (a copy of the assignment's structure) so that nbgrader's own preprocessors
(OverwriteCells, SaveAutoGrades, GetGrades ...) work unchanged; the parent merges the scores into the real
gradebook afterwards. Neither gradebook is ever visible inside the sandbox.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import sys
import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from classroom.grading import nbgrader_steps
from classroom.grading.course_state import TIME_FILES
from classroom.grading.executor import SandboxedExecute, sandboxed_checker
from classroom.grading.guards import files, render_sanitise
from classroom.grading.guards.checker import CheckerProcess, local_argv
from classroom.grading.guards.launcher import kernel_argv
from classroom.grading.sandbox import Limits, Sandbox

warnings.filterwarnings("ignore", category=SAWarning)


MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_SUBMISSION_BYTES = 100 * 1024 * 1024


@dataclass
class Job:
    """One submission to grade (plain data: it crosses process boundaries)."""

    student: str
    assignment: str
    submission_dir: str
    checksum: str
    notebooks: list[str]
    template_db: str
    release_dir: str | None
    workdir: str
    config: dict
    limits: Limits
    feedback: bool = True
    sandboxed: bool = True
    uid: int | None = None
    checker_uid: int | None = None  # the worker's checker fork server runs under this uid (never the kernel's)
    private_root: str | None = None  # trusted per-submission gradebooks (best on a tmpfs); default workdir/private


@dataclass
class NotebookScores:
    grades: dict[str, float | None] = field(default_factory=dict)  # grade_id -> auto score
    comments: dict[str, str | None] = field(default_factory=dict)  # grade_id -> auto comment
    max_score: float = 0.0


@dataclass
class Result:
    """What a worker sends back to the parent."""

    student: str
    checksum: str
    status: str  # "graded" (scores are valid, maybe with problems) | "failed" (no scores at all)
    reasons: list[str] = field(default_factory=list)
    notebooks: dict[str, NotebookScores] = field(default_factory=dict)
    timestamp: str | None = None
    seconds: float = 0.0
    staged: str | None = None  # directory holding autograded/ and feedback/ for this student

    @property
    def score(self) -> float:
        return sum(v or 0.0 for nb in self.notebooks.values() for v in nb.grades.values())

    @property
    def max_score(self) -> float:
        return sum(nb.max_score for nb in self.notebooks.values())

    def to_dict(self) -> dict:
        return asdict(self)


def scratch_name(student: str) -> str:
    """A short directory name for a student's scratch (unix socket paths inside it must stay short)."""
    return hashlib.sha256(student.encode()).hexdigest()[:12]


def submission_checksum(directory: Path) -> str:
    """A digest of every regular file of a submission (names and contents); symlinks count by target text.
    The top-level time files are left out: grade-class rewrites timestamp.txt with its trusted time, which its
    resume key holds on its own."""
    digest = hashlib.sha256()
    if not directory.is_dir():
        return "missing"
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if rel in TIME_FILES:
            continue
        if path.is_symlink():
            digest.update(f"L{rel}\0{os.readlink(path)}\0".encode())
        elif path.is_file():
            digest.update(f"F{rel}\0".encode())
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def _read_regular(path: Path, limit: int) -> bytes:
    """Read a regular, single-link file (refused before opening otherwise); see ``classroom.grading.guards.files``."""
    return files.read_regular(path, limit)


def _resources(job: Job, notebook: str, db_url: str, path: str) -> dict:
    return {
        "nbgrader": {"notebook": notebook, "assignment": job.assignment, "student": job.student,
                     "db_url": db_url},
        "metadata": {"path": path},
        "unique_key": notebook,
        "output_files_dir": f"{notebook}_files",
    }


def _apply(preprocessors: list, nb: NotebookNode, resources: dict, config: Config) -> NotebookNode:
    """Run nbgrader steps as nbgrader's exporter does (a step switched off by its ``enabled`` setting is skipped)."""
    for cls in preprocessors:
        nb, resources = cls(config=config)(nb, resources)
    return nb


def _zero_notebook(gb: Gradebook, job: Job, notebook: str) -> None:
    submission = gb.find_submission_notebook(notebook, job.assignment, job.student)
    for grade in submission.grades:
        grade.auto_score = 0
        grade.needs_manual_grade = False
    gb.db.commit()


def grade_submission(job: Job) -> Result:
    """Grade one submission; never raises (an unexpected error becomes a 'failed' result)."""
    start = time.monotonic()
    result = Result(student=job.student, checksum=job.checksum, status="failed")
    try:
        _grade(job, result)
    except Exception as exc:  # noqa: BLE001 - one bad submission must not stop the class run
        result.status = "failed"
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        result.reasons.append(f"grader error: {last}"[:300])
    result.seconds = time.monotonic() - start
    return result


def _grade(job: Job, result: Result) -> None:
    config = Config(copy.deepcopy(job.config))
    work = Path(job.workdir)
    private = Path(job.private_root or work / "private") / job.student
    scratch = work / "scratch" / scratch_name(job.student)
    staged = work / "staged" / job.student
    for d in (private, scratch, staged):
        shutil.rmtree(d, ignore_errors=True)
    private.mkdir(parents=True)
    staged.mkdir(parents=True)
    db_path = private / "gradebook.db"
    shutil.copyfile(job.template_db, db_path)
    db_url = f"sqlite:///{db_path}"
    submitted = Path(job.submission_dir)

    timestamp = None
    stamp_file = submitted / "timestamp.txt"
    if stamp_file.is_file() and not stamp_file.is_symlink():
        try:
            timestamp = utils.parse_utc(_read_regular(stamp_file, 4096).decode().strip())
            result.timestamp = timestamp.isoformat()
        except (ValueError, UnicodeDecodeError):
            result.reasons.append("timestamp.txt is not a valid time: ignored")

    with Gradebook(db_url) as gb:
        gb.update_or_create_student(job.student)
        if timestamp is not None:
            gb.update_or_create_submission(job.assignment, job.student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(job.assignment, job.student)

    # the sandbox's working directory: the assignment's released data files only, never the student's files
    scratch.mkdir(parents=True)
    release = Path(job.release_dir) if job.release_dir else None
    files.fill_scratch(scratch, release)
    extra = files.extra_files(submitted, job.notebooks, release)
    if extra:
        result.reasons.append("submitted files not used by the grader (never run or importable): "
                              + ", ".join(extra)[:300])
    sandbox = Sandbox(scratch=scratch, uid=job.uid, limits=job.limits, private=private / "etc")
    if job.sandboxed:
        sandbox.prepare()

    autograded = staged / "autograded"
    feedback = staged / "feedback"
    autograded.mkdir()
    feedback.mkdir()
    for notebook in job.notebooks:
        path = submitted / f"{notebook}.ipynb"
        with Gradebook(db_url) as gb:
            problem = _load_problem(path)
            if isinstance(problem, str):
                result.reasons.append(f"{notebook}.ipynb: {problem}: scored 0")
                _zero_notebook(gb, job, notebook)
                continue
        nb = problem
        resources = _resources(job, notebook, db_url, str(scratch))
        try:  # the course's nbgrader steps, as `nbgrader autograde` runs them (classroom.grading.nbgrader_steps)
            nb = _apply(nbgrader_steps.sanitize_preprocessors(), nb, resources, config)
        except Exception as exc:  # noqa: BLE001 - nbgrader rejects the notebook's metadata
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            result.reasons.append(f"{notebook}.ipynb: rejected by nbgrader ({last[:200]}): scored 0")
            with Gradebook(db_url) as gb:
                _zero_notebook(gb, job, notebook)
            continue
        nb = _execute(nb, resources, job, sandbox, scratch, config)
        result.reasons.extend(resources.get("grader", {}).get("reasons", []))
        nb = _apply(nbgrader_steps.after_execute(), nb, resources, config)
        if resources.get("grader", {}).get("active_content"):
            result.reasons.append(f"{notebook}.ipynb: active content (scripts, event handlers, Javascript) removed")
        nbformat.write(nb, autograded / f"{notebook}.ipynb")
        if job.feedback:
            _write_feedback(nb, resources, config, feedback / f"{notebook}.html")

    with Gradebook(db_url) as gb:
        for notebook in job.notebooks:
            scores = NotebookScores()
            sub = gb.find_submission_notebook(notebook, job.assignment, job.student)
            for grade in sub.grades:
                scores.grades[grade.name] = grade.auto_score
                scores.max_score += float(grade.max_score)
            for comment in sub.comments:
                scores.comments[comment.name] = comment.auto_comment
            result.notebooks[notebook] = scores
    result.status = "graded"
    result.staged = str(staged)
    shutil.rmtree(private, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)


def _load_problem(path: Path) -> NotebookNode | str:
    """The submitted notebook, or a one-line reason why it cannot be graded."""
    if path.is_symlink():
        return "is a symbolic link (refused)"
    if not os.path.lexists(path):
        return "missing"
    try:
        raw = _read_regular(path, MAX_NOTEBOOK_BYTES)
    except (ValueError, OSError) as exc:
        return f"unreadable ({exc})"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for broken JSON
        return f"invalid notebook JSON ({type(exc).__name__})"
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        return f"not a valid notebook ({str(exc).splitlines()[0][:120]})"
    return nb


def _execute(nb: NotebookNode, resources: dict, job: Job, sandbox: Sandbox, scratch: Path,
             config: Config) -> NotebookNode:
    """The course's Execute step (``SandboxedExecute``) with this worker's sandboxed kernel and checker; what went
    wrong lands in ``resources['grader']``."""
    limits = job.limits
    if job.sandboxed:
        km = sandbox.kernel_manager(scratch / ".k")
        checker = _sandboxed_checker(job, sandbox)
    else:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name="python3")
        km._kernel_spec = KernelSpec(argv=kernel_argv(sys.executable), display_name="Python 3 (unsandboxed)",
                                     language="python", interrupt_mode="message")
        checker = CheckerProcess(local_argv())
    step = SandboxedExecute(
        km=km,
        checker=checker,
        wall_seconds=limits.wall_seconds,
        output_bytes=limits.output_bytes,
        notebook_bytes=limits.notebook_bytes,
        timeout=limits.cell_timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        startup_timeout=120,
        config=config,
    )
    try:
        nb, _ = step(nb, resources)
    finally:
        if job.sandboxed:
            sandbox.reap()
    return nb


def write_feedback(nb: NotebookNode, dest: Path, *, db_url: str, assignment: str, student: str,
                   notebook: str, config: Config | None = None) -> Path:
    """Write the feedback HTML of one graded notebook to ``dest`` (public: also used after manual grading).

    Scores and comments come from the gradebook at ``db_url``; hidden tests and their tracebacks are left
    out; the page carries no active content (scripts, event handlers, Javascript outputs are removed).
    """
    config = config if config is not None else Config()
    resources = {
        "nbgrader": {"notebook": notebook, "assignment": assignment, "student": student, "db_url": db_url},
        "metadata": {"path": str(Path(dest).parent)},
        "unique_key": notebook,
        "output_files_dir": f"{notebook}_files",
    }
    _write_feedback(nb, resources, config, Path(dest))
    return Path(dest)


def _sandboxed_checker(job: Job, sandbox: Sandbox) -> CheckerProcess:
    """A checker for one notebook: forked by the worker's fork server (own uid), else a process of its own."""
    return sandboxed_checker(Path(job.workdir), scratch_name(job.student), job.limits, job.uid, job.checker_uid,
                             private=sandbox.private)


def _write_feedback(nb: NotebookNode, resources: dict, config: Config, dest: Path) -> None:
    """HTML feedback from the private gradebook through the course's feedback steps, as `nbgrader
    generate_feedback` writes it (``nbgrader_steps.feedback_preprocessors``: hidden tests, their tracebacks and
    active content left out; the sanitising exporter)."""
    exporter = render_sanitise.feedback_exporter(config)  # allow-list sanitised page (nh3), no script, a CSP
    for step in nbgrader_steps.feedback_preprocessors():
        exporter.register_preprocessor(step(config=config), enabled=True)
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=copy.deepcopy(resources))
    dest.write_text(body, encoding="utf-8")


def find_submission_notebooks(gb: Gradebook, assignment: str) -> list[str]:
    """The notebook names of an assignment, from the gradebook."""
    try:
        return [nb.name for nb in gb.find_assignment(assignment).notebooks]
    except MissingEntry:
        return []
