"""grade-class: sandboxed, parallel, resumable autograding of a whole class (``make grade ASSIGNMENT=id``).

    grade-class ps1                      # submitted/<student>/ps1/ -> gradebook, autograded/, feedback/, CSV
    grade-class ps1 --zip canvas.zip     # unpack an LMS download into submitted/ first
    grade-class ps1 --db postgresql://grader@db/course   # a shared gradebook

Student code runs only in a sandboxed kernel (see classroom.grading.sandbox and the README's grading guide).
Interrupt it at
any time: the next run grades only what is left (a submission is skipped when its files, its submission time, the
due date and the late policy are all unchanged since it was graded). Submission times come from what students
cannot write (classroom.grading.late_penalty.submission_time); owners of LMS files from the LMS's names
(classroom.grading.lms).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from tqdm import tqdm
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from classroom.authoring import forbidden_calls
from classroom.grading import course_state, late_penalty, renamed
from classroom.grading import gradebook as gbook
from classroom.grading.lms import LmsError, collect_zip, roster_from_gradebook
from classroom.grading.sandbox import Limits, claim_uid, isolation_problem
from classroom.grading.submission import Job, Result, grade_submission, scratch_name, submission_checksum

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")


class UsageError(Exception):
    """Bad input: reported as one line, exit status 2."""


@dataclass
class Summary:
    graded: list[Result] = field(default_factory=list)
    failed: list[Result] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    intake: dict[str, list[str]] = field(default_factory=dict)  # zip problems by student ("" for no owner)
    warnings: list[str] = field(default_factory=list)
    penalties: dict[str, float] = field(default_factory=dict)  # late penalty by student (points)

    def lines(self) -> list[str]:
        with_problems = [r for r in self.graded if r.reasons]
        seen = {r.student for r in self.graded + self.failed}
        intake = {s: p for s, p in self.intake.items() if p and s not in seen}  # graded ones carry theirs
        count = sum(len(p) for p in intake.values())
        out = [
            f"graded {len(self.graded)} submission(s) ({len(with_problems)} with problems), "
            f"failed {len(self.failed)}, skipped {len(self.skipped)} unchanged"
            + (f", {count} problem(s) collecting the zip" if count else "") + f", in {self.seconds:.1f} s"
        ]
        for r in sorted(with_problems, key=lambda r: r.student):
            late = self.penalties.get(r.student)
            out.append(f"  {r.student}: {r.score:g}/{r.max_score:g}" + (f", late penalty {late:g}" if late else "")
                       + "; " + "; ".join(r.reasons))
        for r in sorted(self.failed, key=lambda r: r.student):
            out.append(f"  FAILED {r.student}: " + "; ".join(r.reasons))
        for student, problems in sorted(intake.items()):
            out += [f"  zip: {p}" for p in problems] if not student else [
                f"  {student}: not collected from the zip: " + "; ".join(problems)]
        out += self.warnings
        if self.interrupted:
            out.append("interrupted: run the same command again to grade the rest")
        return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade-class", description=__doc__.split("\n\n")[0])
    p.add_argument("assignment", help="assignment id, e.g. ps1_drugs_and_risk")
    p.add_argument("--course-dir", default=".", help="course root holding nbgrader_config.py (default: .)")
    p.add_argument("--db", help="gradebook URL (default: nbgrader_config's, sqlite:///gradebook.db)")
    p.add_argument("--zip", type=Path, help="LMS zip of every student's files, unpacked into submitted/ first")
    p.add_argument("--zip-pattern", help="regex with groups student_id and file_id for the zip's file names")
    p.add_argument("--student", action="append", default=[], help="grade only this student (repeatable)")
    # One worker more than cores: each worker waits part of the time on kernel start-up and files.
    p.add_argument("--jobs", "-j", type=int, default=(os.cpu_count() or 1) + 1,
                   help="parallel workers (default: cores + 1)")
    p.add_argument("--force", action="store_true",
                   help="regrade every submission (a changed due date or late policy regrades on its own)")
    p.add_argument("--retry-failed", action="store_true", help="regrade submissions that failed last time")
    p.add_argument("--cell-timeout", type=int, help="seconds per cell (default: nbgrader_config's Execute.timeout)")
    p.add_argument("--time-limit", type=int, default=Limits.wall_seconds, help="seconds per submission")
    p.add_argument("--cpu-limit", type=int, default=Limits.cpu_seconds, help="CPU seconds per notebook kernel")
    p.add_argument("--memory-mb", type=int, default=Limits.memory_mb, help="address-space limit per kernel")
    p.add_argument("--max-procs", type=int, default=Limits.processes, help="processes per sandbox")
    p.add_argument("--max-output-kb", type=int, default=Limits.output_bytes // 1000, help="output kept per cell")
    p.add_argument("--no-feedback", action="store_true", help="do not write feedback HTML")
    p.add_argument("--worker-memory-mb", type=int, default=WORKER_MEMORY_MB,
                   help="address-space limit of each trusted grading worker")
    p.add_argument("--csv", type=Path, help="grades CSV to write (default: grades-<assignment>.csv)")
    p.add_argument("--no-csv", action="store_true", help="do not export a CSV")
    p.add_argument("--uid-base", type=int, default=62000,
                   help="unprivileged uids for sandboxes are taken from here on, one per worker (as root)")
    p.add_argument("--workdir", type=Path, help="scratch area (default: a fresh temporary directory)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code WITHOUT isolation (only where no sandbox exists; never for real classes)")
    return p


def load_config(course: Path) -> Config:
    cfg_file = course / "nbgrader_config.py"
    if not cfg_file.is_file():
        return Config()
    try:
        return PyFileConfigLoader(cfg_file.name, path=str(course)).load_config()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the file is Python: any error is bad input
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"{cfg_file}: cannot be loaded ({text})") from None


def exchange_root(cfg: Config) -> Path:
    """The nbgrader exchange's root as nbgrader would find it: the course's config, else the first Jupyter config
    folder (user, environment, system) whose nbgrader_config.py sets ``Exchange.root``, else nbgrader's default."""
    root = cfg.get("Exchange", {}).get("root")
    if root:
        return Path(root)
    from jupyter_core.paths import jupyter_config_path

    for folder in jupyter_config_path():
        if not (Path(folder) / "nbgrader_config.py").is_file():
            continue
        try:
            other = PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
        except (Exception, SystemExit):  # noqa: BLE001 - someone else's config file: skip it, as a missing one
            continue
        root = other.get("Exchange", {}).get("root")
        if root:
            return Path(root)
    return Path(late_penalty.EXCHANGE_ROOT)


def _db_url(args: argparse.Namespace, cfg: Config, course: Path) -> str:
    url = args.db or cfg.get("CourseDirectory", {}).get("db_url") or "sqlite:///gradebook.db"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = f"sqlite:///{(course / url[len('sqlite:///'):]).resolve()}"
    return url


# -- worker side ---------------------------------------------------------------------------------------------
_SLOT_UID: int | None = None
_CHECKER_UID: int | None = None
WORKER_MEMORY_MB = 4096  # address space of a trusted worker (soft limit; sandboxes set their own)
WORKER_FILE_MB = 512  # largest file a trusted worker writes (autograded notebooks and feedback are bounded)
CRASH_ENV = "GRADE_CLASS_TEST_CRASH"  # fault injection for the tests: a worker dies on this student


def _init_worker(uid_base: int, memory_mb: int = WORKER_MEMORY_MB) -> None:
    import resource

    global _SLOT_UID, _CHECKER_UID
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for limit, value in ((resource.RLIMIT_AS, memory_mb * 1024 * 1024),
                         (resource.RLIMIT_FSIZE, WORKER_FILE_MB * 1024 * 1024)):
        soft, hard = resource.getrlimit(limit)
        if soft == resource.RLIM_INFINITY or soft > value:
            resource.setrlimit(limit, (value, hard))
    _SLOT_UID = claim_uid(uid_base)
    _CHECKER_UID = claim_uid(uid_base)  # the checker fork server's own uid: the kernel's clean-up never hits it


def _marker(job: Job) -> Path:
    return Path(job.workdir) / "inflight" / scratch_name(job.student)


def _work(job: Job) -> Result:
    marker = _marker(job)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(job.student)
    if os.environ.get(CRASH_ENV) == job.student:
        os._exit(70)
    result = grade_submission(replace(job, uid=_SLOT_UID if job.sandboxed else None,
                                      checker_uid=_CHECKER_UID if job.sandboxed else None))
    marker.unlink(missing_ok=True)
    return result


# -- parent side ---------------------------------------------------------------------------------------------
def _install(staged: Path, course: Path, student: str, assignment: str) -> None:
    """Move a worker's autograded/ and feedback/ output into place, replacing older output atomically."""
    for kind in ("autograded", "feedback"):
        src = staged / kind
        if not src.is_dir() or not any(src.iterdir()):
            continue
        dest = course / kind / student / assignment
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{assignment}.new"
        old = dest.parent / f".{assignment}.old"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        shutil.copytree(src, tmp)
        if dest.exists():
            dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staged, ignore_errors=True)


def _students(submitted: Path, assignment: str, only: list[str]) -> list[str]:
    if not submitted.is_dir():
        return []
    found = []
    for entry in sorted(submitted.iterdir()):
        if entry.is_symlink() or not entry.is_dir() or not STUDENT_ID.match(entry.name):
            continue
        if (entry / assignment).is_dir() and not (entry / assignment).is_symlink():
            found.append(entry.name)
    if only:
        missing = sorted(set(only) - set(found))
        if missing:
            raise UsageError(f"no submission of {assignment} for: {', '.join(missing)}")
        found = [s for s in found if s in only]
    return found


def run(args: argparse.Namespace) -> int:
    course = Path(args.course_dir).resolve()
    if not course.is_dir():
        raise UsageError(f"course directory not found: {course}")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    cfg = load_config(course)
    try:
        policy = late_penalty.policy_key(cfg)
    except Exception as exc:  # noqa: BLE001 - traitlets raises several kinds for a bad plugin setting
        raise UsageError(f"the late-penalty policy in nbgrader_config.py cannot be used: "
                         f"{str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__}"
                         ) from None
    sandboxed = True
    problem = isolation_problem()
    if problem:
        if not args.unsafe_no_sandbox:
            raise UsageError(f"cannot sandbox student code: {problem}; refusing to grade "
                             "(--unsafe-no-sandbox runs it with your rights, at your own risk)")
        sandboxed = False
        print(f"grade-class: WARNING: grading WITHOUT a sandbox ({problem})", file=sys.stderr)
    elif args.unsafe_no_sandbox:
        sandboxed = False
        print("grade-class: WARNING: --unsafe-no-sandbox: student code runs with your rights", file=sys.stderr)

    exec_cfg = cfg.get("Execute", {})
    limits = Limits(
        cpu_seconds=args.cpu_limit, memory_mb=args.memory_mb, processes=args.max_procs,
        cell_timeout=args.cell_timeout or int(exec_cfg.get("timeout", Limits.cell_timeout) or Limits.cell_timeout),
        wall_seconds=args.time_limit, output_bytes=args.max_output_kb * 1000,
    )
    db_url = _db_url(args, cfg, course)
    course_id = cfg.get("CourseDirectory", {}).get("course_id", "default_course")
    submitted = course / cfg.get("CourseDirectory", {}).get("submitted_directory", "submitted")
    release = course / cfg.get("CourseDirectory", {}).get("release_directory", "release") / args.assignment

    if args.zip and not args.zip.is_file():
        raise UsageError(f"zip not found: {args.zip}")
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        raise UsageError(f"no gradebook at {db_url[len('sqlite:///'):]}: run `nbgrader generate_assignment "
                         f"{args.assignment}` first (or pass --db)")
    gb = gbook.open_gradebook(db_url, course_id)
    try:
        notebooks = gbook.assignment_notebooks(gb, args.assignment)
        if not notebooks:
            raise UsageError(f"assignment {args.assignment} is not in the gradebook {gbook.redact(db_url)}: "
                             f"run `nbgrader generate_assignment {args.assignment}` (with the same --db) first")
        intake: dict[str, list[str]] = {}
        if args.zip:
            # -- loop: students matched through the gradebook's roster (ids, lms_user_id, names); every skip listed
            got = collect_zip(args.zip, submitted, args.assignment, [f"{n}.ipynb" for n in notebooks],
                              args.zip_pattern, roster=roster_from_gradebook(gb),
                              grade_ids=gbook.assignment_grade_ids(gb, args.assignment))
            print(f"collected {got.files} file(s) of {len(got.students)} student(s) from {args.zip.name}"
                  + (f"; skipped {len(got.skipped)} ({got.problem_count} problem(s)):" if got.skipped else "")
                  + (f"; marked late by the LMS: {', '.join(sorted(got.late))}" if got.late else ""))
            for line in got.renamed:
                print(f"  renamed upload {line}")
            for line in got.skipped:
                print(f"  skipped {line}")
            # the LMS's time of each student's files, kept where no student can write (the gradebook)
            gbook.record_intake(gb, args.assignment, {
                s: (late_penalty.notebooks_digest(submitted / s / args.assignment, notebooks), got.received[s])
                for s in got.students})
            intake = got.problems
        students = _students(submitted, args.assignment, args.student)
        if not students:
            raise UsageError(f"no submissions of {args.assignment} in {submitted}")
        # -- loop: a notebook renamed or moved before it went through the exchange, recognised by its cells
        wanted = gbook.assignment_grade_ids(gb, args.assignment)
        for student in students:
            for line in renamed.adopt(submitted / student / args.assignment, wanted):
                print(f"  renamed upload {student}: {line}")
                intake.setdefault(student, []).append(line)
        timing = _Timing(policy=policy, course_id=course_id, intake=intake,
                         exchange=exchange_root(cfg))
        return _grade_all(args, course, gb, notebooks, students, submitted, release, limits, sandboxed, cfg, timing)
    finally:
        gb.close()


@dataclass
class _Timing:
    """What decides submission times and lateness in a run (see classroom.grading.late_penalty)."""

    policy: str
    course_id: str
    exchange: Path
    intake: dict[str, list[str]]


def _resume_key(files: str, when: late_penalty.SubmissionTime, duedate, policy: str) -> str:
    """The files, the submission time, the due date and the late policy: any change regrades."""
    text = f"{files}|{when.at.isoformat() if when.at else ''}|{duedate.isoformat() if duedate else ''}|{policy}"
    return hashlib.sha256(text.encode()).hexdigest()


def _grade_all(args, course, gb, notebooks, students, submitted, release, limits, sandboxed, cfg,
               timing: _Timing) -> int:
    start = time.monotonic()
    summary = Summary(intake=timing.intake)
    state = gbook.load_state(gb, args.assignment)
    duedate = gb.find_assignment(args.assignment).duedate
    lms_times = gbook.load_intake(gb, args.assignment)
    times: dict[str, late_penalty.SubmissionTime] = {}
    todo: list[tuple[str, str]] = []
    for student in students:
        folder = submitted / student / args.assignment
        times[student] = late_penalty.submission_time(
            folder, notebooks, lms=lms_times.get(student), exchange_root=timing.exchange,
            course_id=timing.course_id, student=student, assignment=args.assignment, duedate=duedate)
        checksum = _resume_key(submission_checksum(folder), times[student], duedate, timing.policy)
        previous = state.get(student)
        unchanged = previous is not None and previous["checksum"] == checksum
        if unchanged and not args.force and (previous["status"] == "graded" or not args.retry_failed):
            summary.skipped.append(student)
        else:
            todo.append((student, checksum))

    own_workdir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="gc-")) if own_workdir else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o711)
    # the throw-away per-submission gradebooks commit after every cell: keep them in memory when we can
    shm = Path("/dev/shm")
    private_root = Path(tempfile.mkdtemp(prefix="gc-private-", dir=shm)) if shm.is_dir() and os.access(
        shm, os.W_OK) else workdir / "private"
    template = workdir / "template.db"
    gbook.build_template(gb, args.assignment, template)
    config = json.loads(json.dumps(cfg, default=lambda o: dict(o) if isinstance(o, dict) else str(o)))
    jobs = [
        Job(student=s, assignment=args.assignment, submission_dir=str(submitted / s / args.assignment),
            checksum=c, notebooks=notebooks, template_db=str(template),
            release_dir=str(release) if release.is_dir() else None, workdir=str(workdir), config=config,
            private_root=str(private_root),
            limits=limits, feedback=not args.no_feedback, sandboxed=sandboxed)
        for s, c in todo
    ]
    shutil.rmtree(workdir / "inflight", ignore_errors=True)
    bar = tqdm(total=len(jobs), unit="submission", disable=args.no_progress or not jobs, file=sys.stderr)
    workers = min(args.jobs, max(1, len(jobs)))

    def handle(result: Result) -> None:
        when = times[result.student]  # the trusted time replaces the one the student's timestamp.txt claims
        result.timestamp = when.at.isoformat() if when.at else None
        result.reasons.extend(when.flags + timing.intake.get(result.student, []))
        if result.status == "graded" and result.staged:
            _install(Path(result.staged), course, result.student, args.assignment)
            # -- loop: nbgrader's state files (timestamp, submission secret) beside autograded/feedback
            course_state.complete_submission(
                course, submitted, result.student, args.assignment,
                timestamp=when.at.strftime("%Y-%m-%d %H:%M:%S.%f UTC") if when.at else None)
        for nb in notebooks:  # forbidden package functions: flagged (summary, CSV grader_flags), grade unchanged
            flag = forbidden_calls.review_reason(submitted / result.student / args.assignment / f"{nb}.ipynb",
                                                 release / f"{nb}.ipynb")
            if flag:
                result.reasons.append(flag)
        gbook.merge(gb, args.assignment, result)
        if result.status == "graded":  # -- loop: the course's late penalty, as nbgrader applies it
            penalty = late_penalty.apply_late_penalty(gb, args.assignment, result.student, cfg)
            summary.penalties[result.student] = sum(penalty.values())
            gb.db.commit()
        (summary.graded if result.status == "graded" else summary.failed).append(result)
        bar.update(1)

    interrupts = DeferredInterrupts()
    whole = interrupts.whole  # a result is written whole (scores, penalty, run state) before Ctrl-C stops the run
    try:
        with interrupts.installed():
            queue = jobs
            while queue:
                suspects, queue = _pool_round(queue, workers, args.uid_base, args.worker_memory_mb,
                                              whole(handle))
                for job in suspects:  # each one alone: only the submission that kills its worker pays
                    again, _ = _pool_round([job], 1, args.uid_base, args.worker_memory_mb, whole(handle))
                    for lost in again:
                        whole(handle)(Result(
                            student=lost.student, checksum=lost.checksum, status="failed",
                            reasons=["the trusted grading worker died on this submission (its memory or file-size "
                                     "limit); the rest of the class was graded"]))
    except KeyboardInterrupt:
        summary.interrupted = True
        gb.db.rollback()
    finally:
        bar.close()
    shutil.rmtree(private_root, ignore_errors=True)
    if own_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    if not args.no_csv and not summary.interrupted:
        dest = args.csv or course / f"grades-{args.assignment}.csv"
        gbook.export_csv(gb, args.assignment, dest, flags=True)
        print(f"grades exported to {dest}")
    summary.seconds = time.monotonic() - start
    warning = late_penalty.class_lateness_warning(gb, args.assignment)
    if warning:
        summary.warnings.append(warning)
    for line in summary.lines():
        print(line)
    if summary.interrupted:
        return 130
    return 1 if summary.failed else 0


class DeferredInterrupts:
    """Ctrl-C (SIGINT) during a ``whole`` call is held until the call returns, then raised as KeyboardInterrupt.

    Writing one result into the gradebook takes several commits (nbgrader's scores, the late penalty, the run
    state): an interrupt between two of them would leave a submission marked graded without its penalty, which
    the next run would skip as unchanged."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False

    def _handler(self, signum: int, frame: object) -> None:
        if self.depth:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """This object as the SIGINT handler for the ``with`` block (in the main thread; elsewhere, unchanged)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self._handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def whole(self, fn: Callable[..., object]) -> Callable[..., object]:
        def run_whole(*args: object, **kwargs: object) -> object:
            self.depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1
                if not self.depth and self.pending:
                    self.pending = False
                    raise KeyboardInterrupt
        return run_whole


def _pool_round(jobs: list[Job], workers: int, uid_base: int, memory_mb: int,
                handle) -> tuple[list[Job], list[Job]]:
    """Grade ``jobs`` in a fresh pool, handing each result to ``handle``.

    When a worker dies the pool breaks: returns the jobs that were being graded then (suspects, to retry one
    at a time) and the jobs not started yet (for a new pool); otherwise two empty lists.
    """
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                               initargs=(uid_base, memory_mb))
    pending = {pool.submit(_work, job): job for job in jobs}
    finished = False
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                pending.pop(fut)
                handle(result)
            if broken:
                left = list(pending.values())
                suspects = [job for job in left if _marker(job).exists()]
                for job in left:
                    _marker(job).unlink(missing_ok=True)
                return suspects, [job for job in left if job not in suspects]
        finished = True
        return [], []
    except KeyboardInterrupt:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.kill()
        raise
    finally:
        pool.shutdown(wait=finished, cancel_futures=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    try:
        return run(args)
    except (UsageError, LmsError, gbook.GradebookError) as exc:
        print(f"grade-class: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
