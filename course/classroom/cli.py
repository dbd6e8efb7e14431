"""One command for the classroom tools: ``classroom VERB [ARGS ...]`` (also ``python -m classroom``).

Each verb is the main function of one module; ``classroom VERB --help`` shows its own options. The course
root (the folder with ``nbgrader_config.py`` and ``solutions/``) is passed in with ``--course-root DIR``
before the verb, or taken from ``MRONJ_COURSE_ROOT`` or the working directory (classroom.course_root).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from classroom.course_root import ENV, CourseRootError, is_course_root

#: verb -> (module whose ``main(argv)`` runs it, what it does). The Makefile targets call these verbs.
VERBS: dict[str, tuple[str, str]] = {
    "check": ("classroom.authoring.integrity", "check the solution notebooks and their student versions (make check)"),
    "probe": ("classroom.authoring.answer_probe", "run the model answers against the knowledge base"),
    "catch-rate": ("classroom.authoring.visible_catch", "how many wrong submissions the visible checks catch"),
    "release": ("classroom.authoring.release", "generate assignments/ from solutions/ (make release)"),
    "variant": ("classroom.authoring.variant_release", "a class's variant from the course secret, outside git"),
    "grade": ("classroom.grading.grade_class", "grade a class's submissions in sandboxes (make grade)"),
    "feedback": ("classroom.grading.feedback", "write sanitised feedback pages"),
    "validate-text": ("classroom.grading.validate_message", "install the one-line Validate messages"),
    "site": ("classroom.publishing.site", "build the course website (make site)"),
    "student-release": ("classroom.publishing.student_release", "build the student release (make student-release)"),
}


def usage() -> str:
    """The list of verbs, one per line."""
    width = max(map(len, VERBS))
    lines = ["usage: classroom [--course-root DIR] VERB [ARGS ...]", "", "verbs:"]
    lines += [f"  {verb:<{width}}  {what}" for verb, (_, what) in VERBS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one verb; bad use is one line on stderr and exit status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--course-root"]:
        if len(args) < 2:
            print("classroom: --course-root needs a folder", file=sys.stderr)
            return 2
        root = Path(args[1]).expanduser().resolve()
        if not is_course_root(root):
            print(f"classroom: {args[1]} is not a course root (no nbgrader_config.py and solutions/ there)",
                  file=sys.stderr)
            return 2
        os.environ[ENV] = str(root)
        args = args[2:]
    if not args or args[0] in {"-h", "--help"}:
        print(usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    verb, rest = args[0], args[1:]
    if verb not in VERBS:
        print(f"classroom: unknown verb {verb!r}; one of: {', '.join(VERBS)}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(VERBS[verb][0])
    except CourseRootError as exc:
        print(f"classroom: {exc}", file=sys.stderr)
        return 2
    return int(module.main(rest) or 0)


if __name__ == "__main__":  # pragma: no cover - python -m classroom.cli
    sys.exit(main())
