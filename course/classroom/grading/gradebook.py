"""The instructor's gradebook (SQLite or PostgreSQL, through nbgrader's API), from the trusted parent only.

- ``build_template`` copies one assignment's structure (cells, points, checksums, hidden tests) into a small
  SQLite file that workers copy per submission; it never enters a sandbox.
- ``merge`` writes one worker result into the real gradebook, with the run state in the same transaction.
- The state table ``grade_class_state`` (assignment, student, checksum, status, reasons, score) makes runs
  resumable: a submission whose files, submission time, due date and late policy have not changed since it was
  graded is skipped (``checksum`` is the digest of all four).
- The intake table ``grade_class_intake`` keeps the LMS's time of each student's files from ``grade-class --zip``
  (with a digest of the notebooks written), where no student can write: the submission time of an LMS
  submission comes from it, never from a ``timestamp.txt`` in the submission.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import CsvExportPlugin
from sqlalchemy import Column, DateTime, Float, MetaData, String, Table, Text, delete, insert, select
from sqlalchemy.exc import SAWarning

from classroom.grading.alembic_head import install as install_alembic_head
from classroom.grading.submission import Result

warnings.filterwarnings("ignore", category=SAWarning)


# nbgrader's schema version read in-process, not by the `alembic` program (see classroom/grading/alembic_head.py).
install_alembic_head()

_META = MetaData()
STATE = Table(
    "grade_class_state",
    _META,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("checksum", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reasons", Text, nullable=False, default="[]"),
    Column("score", Float),
    Column("max_score", Float),
    Column("graded_at", DateTime, nullable=False),
)


INTAKE = Table(
    "grade_class_intake",
    _META,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("digest", String(64), nullable=False),  # the notebooks as the LMS zip gave them
    Column("received_at", DateTime, nullable=False),  # the LMS's time of those files (naive UTC)
)


class GradebookError(RuntimeError):
    """The gradebook cannot be used for this run (one line, for the instructor)."""


def open_gradebook(db_url: str, course_id: str) -> Gradebook:
    try:
        gb = Gradebook(db_url, course_id)
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises many kinds for a bad URL or server
        raise GradebookError(f"cannot open the gradebook {redact(db_url)}: {str(exc).splitlines()[0]}") from exc
    _META.create_all(gb.engine)
    return gb


def redact(db_url: str) -> str:
    """The URL without its password."""
    if "://" in db_url and "@" in db_url:
        scheme, rest = db_url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return db_url


def assignment_notebooks(gb: Gradebook, assignment: str) -> list[str]:
    try:
        return sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
    except MissingEntry:
        return []


def assignment_grade_ids(gb: Gradebook, assignment: str) -> dict[str, set[str]]:
    """{"<notebook>.ipynb": the grade ids of its graded, solution and task cells} (what a renamed upload carries)."""
    out = {}
    for nb in gb.find_assignment(assignment).notebooks:
        out[f"{nb.name}.ipynb"] = {c.name for cells in (nb.grade_cells, nb.solution_cells, nb.task_cells)
                                   for c in cells}
    return out


def build_template(gb: Gradebook, assignment: str, path: Path) -> None:
    """Copy the assignment's structure (no student data) into a fresh SQLite gradebook at ``path``."""
    if path.exists():
        path.unlink()
    source = gb.find_assignment(assignment)
    with Gradebook(f"sqlite:///{path}") as dst:
        dst.update_or_create_assignment(assignment, duedate=source.duedate)
        for nb in source.notebooks:
            dst.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
            for c in nb.grade_cells:
                dst.update_or_create_grade_cell(c.name, nb.name, assignment, max_score=c.max_score,
                                                cell_type=c.cell_type)
            for c in nb.solution_cells:
                dst.update_or_create_solution_cell(c.name, nb.name, assignment)
            for c in nb.task_cells:
                dst.update_or_create_task_cell(c.name, nb.name, assignment, max_score=c.max_score,
                                               cell_type=c.cell_type)
            for c in nb.source_cells:
                dst.update_or_create_source_cell(c.name, nb.name, assignment, cell_type=c.cell_type,
                                                 locked=c.locked, source=c.source, checksum=c.checksum)


def load_state(gb: Gradebook, assignment: str) -> dict[str, dict]:
    rows = gb.db.execute(select(STATE).where(STATE.c.assignment == assignment)).mappings().all()
    gb.db.commit()
    return {row["student"]: dict(row) for row in rows}


def record_intake(gb: Gradebook, assignment: str, received: dict[str, tuple[str, dt.datetime]]) -> None:
    """Record {student: (notebooks digest, LMS time)} of a collected zip, replacing older records."""
    try:
        for student, (digest, when) in received.items():
            gb.db.execute(delete(INTAKE).where(INTAKE.c.assignment == assignment, INTAKE.c.student == student))
            gb.db.execute(insert(INTAKE).values(assignment=assignment, student=student, digest=digest,
                                                received_at=when))
        gb.db.commit()
    except Exception:
        gb.db.rollback()
        raise


def load_intake(gb: Gradebook, assignment: str) -> dict[str, tuple[str, dt.datetime]]:
    rows = gb.db.execute(select(INTAKE).where(INTAKE.c.assignment == assignment)).mappings().all()
    gb.db.commit()
    return {row["student"]: (row["digest"], row["received_at"]) for row in rows}


def merge(gb: Gradebook, assignment: str, result: Result) -> None:
    """Write one result (scores and run state) into the gradebook; one commit at the end."""
    try:
        if result.status == "graded":
            gb.update_or_create_student(result.student)
            if result.timestamp:
                gb.update_or_create_submission(assignment, result.student, timestamp=result.timestamp)
            else:
                gb.update_or_create_submission(assignment, result.student)
            for notebook, scores in result.notebooks.items():
                sub = gb.find_submission_notebook(notebook, assignment, result.student)
                for grade in sub.grades:
                    grade.auto_score = scores.grades.get(grade.name, 0.0)
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                for comment in sub.comments:
                    comment.auto_comment = scores.comments.get(comment.name)
        gb.db.execute(delete(STATE).where(STATE.c.assignment == assignment, STATE.c.student == result.student))
        gb.db.execute(insert(STATE).values(
            assignment=assignment, student=result.student, checksum=result.checksum, status=result.status,
            reasons=json.dumps(result.reasons), score=result.score if result.status == "graded" else None,
            max_score=result.max_score if result.status == "graded" else None,
            graded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        ))
        gb.db.commit()
    except Exception:
        gb.db.rollback()
        raise


def scores_by_student(gb: Gradebook, assignment: str) -> dict[str, float]:
    """Total score per student with a submission of ``assignment`` (what the tests compare)."""
    out = {}
    for sub in gb.find_assignment(assignment).submissions:
        out[sub.student.id] = float(sub.score)
    return out


def export_csv(gb: Gradebook, assignment: str, dest: Path, flags: bool = False) -> None:
    """nbgrader's own CSV export of this assignment's grades; with ``flags``, a last column ``grader_flags``
    holding the grader's reasons to look at a submission (extra files, tampering, limits ...)."""
    plugin = CsvExportPlugin(to=str(dest), assignment=[assignment])
    plugin.export(gb)
    if not flags:
        return
    import csv

    reasons = {student: "; ".join(json.loads(row["reasons"] or "[]"))
               for student, row in load_state(gb, assignment).items()}
    with open(dest, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0].keys()) if rows else ["assignment", "student_id"]
    with open(dest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, "grader_flags"])
        writer.writeheader()
        for row in rows:
            row["grader_flags"] = reasons.get(row.get("student_id", ""), "")
            writer.writerow(row)
