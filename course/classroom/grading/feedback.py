"""Regenerate feedback after manual grading, with the manual grades and comments, without hidden tests.

    .venv/bin/python -m classroom.grading.feedback ps2_diagnosis_and_staging            # every autograded student
    .venv/bin/python -m classroom.grading.feedback ps2_diagnosis_and_staging --student s001

``grade-class`` writes feedback right after autograding, before anyone grades the written answers. Run this after
grading in formgrader: it rebuilds ``feedback/<student>/<assignment>/`` from ``autograded/`` and the gradebook
(scores, manual grades, comments, and the late penalty recomputed on the score with the manual grades)
through the grader's own feedback writer: the course's feedback steps (``classroom.grading.nbgrader_steps``:
hidden tests, their tracebacks and active content left out) and the sanitising exporter, exactly what
``nbgrader generate_feedback`` runs with the course's nbgrader_config.py (which does not recompute the late
penalty). Then ``nbgrader release_feedback`` returns it through the exchange as usual.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from classroom.grading import course_state, grade_class, late_penalty, submission
from classroom.grading.grade_class import STUDENT_ID, _db_url, load_config


class UsageError(Exception):
    """Bad input: one line, exit status 2."""


def regenerate(course: Path, assignment: str, students: list[str] | None = None, db: str | None = None) -> list[str]:
    """Rewrite the feedback of every autograded submission of ``assignment`` (or of ``students``).

    Returns the students whose feedback was written.
    """
    try:
        cfg = load_config(course)
    except grade_class.UsageError as exc:  # a broken nbgrader_config.py: one line, not a traceback
        raise UsageError(str(exc)) from None
    args = argparse.Namespace(db=db)
    db_url = _db_url(args, cfg, course)
    course_id = cfg.get("CourseDirectory", {}).get("course_id", "default_course")
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        raise UsageError(f"no gradebook at {db_url[len('sqlite:///'):]}: grade the assignment first")
    autograded = course / "autograded"
    with Gradebook(db_url, course_id=course_id) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry as exc:
            raise UsageError(f"assignment {assignment} is not in the gradebook") from exc
        graded = sorted(s.student.id for s in gb.find_assignment(assignment).submissions)
        # the late penalty again, now that the score includes the manual grades (nbgrader computes it once,
        # at autograding time, from the autograded score alone)
        for student in graded if not students else [s for s in graded if s in students]:
            late_penalty.apply_late_penalty(gb, assignment, student, cfg)
        gb.db.commit()
    candidates = [s for s in graded if STUDENT_ID.match(s) and (autograded / s / assignment).is_dir()]
    if students:
        missing = sorted(set(students) - set(candidates))
        if missing:
            raise UsageError(f"no autograded submission of {assignment} for: {', '.join(missing)}")
        candidates = [s for s in candidates if s in students]
    if not candidates:
        raise UsageError(f"no autograded submissions of {assignment} in {autograded}: grade them first")
    done = []
    for student in candidates:
        src = autograded / student / assignment
        dest = course / "feedback" / student / assignment
        dest.parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{assignment}.", dir=dest.parent))
        try:
            for notebook in notebooks:
                path = src / f"{notebook}.ipynb"
                if not path.is_file() or path.is_symlink():
                    continue
                nb = nbformat.read(str(path), as_version=4)
                # the grading engine's public feedback writer: hidden tests, their tracebacks and active content
                # are left out
                submission.write_feedback(nb, staged / f"{notebook}.html", db_url=db_url, assignment=assignment,
                                          student=student, notebook=notebook, config=cfg)
            course_state.copy_state(src, staged)
            staged.chmod(0o755)
            course_state.replace_dir(staged, dest)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        done.append(student)
    return done


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m classroom.grading.feedback", description=__doc__.split("\n\n")[0])
    p.add_argument("assignment", help="assignment id, e.g. ps2_diagnosis_and_staging")
    p.add_argument("--course-dir", default=".", help="course root holding nbgrader_config.py (default: .)")
    p.add_argument("--db", help="gradebook URL (default: nbgrader_config's)")
    p.add_argument("--student", action="append", default=[], help="only this student (repeatable)")
    args = p.parse_args(argv)
    course = Path(args.course_dir).resolve()
    try:
        if not (course / "nbgrader_config.py").is_file():
            raise UsageError(f"no nbgrader_config.py in {course}: run from the course root or pass --course-dir")
        done = regenerate(course, args.assignment, args.student or None, args.db)
    except UsageError as exc:
        print(f"feedback: {exc}", file=sys.stderr)
        return 2
    print(f"feedback regenerated for {len(done)} student(s) of {args.assignment} in feedback/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
