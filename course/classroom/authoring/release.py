"""Regenerate assignments/ (student versions) from solutions/ with nbgrader's own generate_assignment.

    python -m classroom.authoring.release [ASSIGNMENT ...]      (make release)

Each assignment is generated in a temporary course directory (a copy of nbgrader_config.py and of
solutions/<id>/), so no gradebook.db is left in the repository; the release is then copied into
assignments/<id>/, replacing the previous one. The output depends only on the sources. Each cell's
``osteonecrosis`` metadata (the knowledge entries its key rests on: instructor-only) is removed from the release
by nbgrader itself (classroom.authoring.instructor_metadata, set up in nbgrader_config.py). The release is
always the default variant: the course secret is never used here (one line says so; a class's variant is
made outside git by ``classroom variant``, classroom.authoring.variant_release).
Errors: one line on stderr, exit status 1 (nbgrader failed) or 2 (bad arguments).
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from classroom.authoring import variants
from classroom.authoring.assignment_model import ASSIGNMENTS, ROOT, SOLUTIONS, AssignmentError, resolve
from classroom.authoring.variant_preprocessor import DEFAULT_ONLY_ENV

CONFIG = ROOT / "nbgrader_config.py"


class ReleaseError(RuntimeError):
    """nbgrader could not generate an assignment; the message is one line."""


def nbgrader(args: list[str], cwd: Path, timeout: float = 600,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m nbgrader ARGS`` in ``cwd`` with this interpreter (output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=tool_env() if env is None else env,
    )


def tool_env() -> dict[str, str]:
    """The environment for nbgrader subprocesses: this interpreter's bin/ first on PATH (nbgrader runs
    ``alembic`` and the kernel from there)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def last_error(output: str) -> str:
    """The most telling line of an nbgrader log (its last ERROR/Exception line)."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception):", ln):
            return ln[:300]
    for ln in reversed(lines):
        if "Error" in ln or "ERROR" in ln or "Exception" in ln:
            return ln[:300]
    return lines[-1][:300] if lines else "no output"


def make_course(workdir: Path, assignment_ids: list[str], solutions: Path = SOLUTIONS,
                config: Path = CONFIG) -> Path:
    """A fresh nbgrader course in ``workdir``: the course config plus copies of the given sources."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(config, workdir / "nbgrader_config.py")
    for a in assignment_ids:
        shutil.copytree(solutions / a, workdir / "solutions" / a,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return workdir


def generate(course: Path, assignment_id: str = "*", class_variant: bool = False) -> dict[str, Path]:
    """Run ``nbgrader generate_assignment ID --force`` in a course directory (``*``: every assignment of
    its solutions/, in one nbgrader run); the release folder of each assignment. Without ``class_variant``
    the course secret is never used: the release is the default variant (the repository's assignments/)."""
    wanted = sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir()) if assignment_id == "*" \
        else [assignment_id]
    env = tool_env()
    if class_variant:
        env.pop(DEFAULT_ONLY_ENV, None)
    else:
        env[DEFAULT_ONLY_ENV] = "1"
    proc = nbgrader(["generate_assignment", assignment_id, "--force"], cwd=course, env=env)
    out = {a: course / "assignments" / a for a in wanted}
    failed = [a for a, path in out.items() if not path.is_dir()]
    if proc.returncode != 0 or failed:
        which = ", ".join(failed) or assignment_id
        raise ReleaseError(f"nbgrader could not generate {which}: {last_error(proc.stdout + proc.stderr)}")
    return out


def generate_into(dest: Path, assignment_ids: list[str], solutions: Path = SOLUTIONS) -> dict[str, Path]:
    """Generate the releases of the given assignments under ``dest`` (a scratch folder), in one nbgrader run."""
    course = make_course(dest / "course", assignment_ids, solutions)
    return generate(course, "*")


def release(assignment_ids: list[str], target: Path = ASSIGNMENTS, solutions: Path = SOLUTIONS) -> list[str]:
    """Regenerate target/<id>/ for each assignment; returns one report line per assignment."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="osteo-release-") as tmp:
        built = generate_into(Path(tmp), assignment_ids, solutions)
        target.mkdir(parents=True, exist_ok=True)
        for a, src in built.items():
            staging = target / f".{a}.new"
            if staging.exists():
                shutil.rmtree(staging)
            shutil.copytree(src, staging)
            old = target / a
            if old.exists():
                shutil.rmtree(old)
            staging.rename(old)
            n = len(list(old.glob("*.ipynb")))
            lines.append(f"released {a} -> {old.relative_to(target.parent)}/ ({n} notebook{'s' * (n != 1)})")
    return lines


def _canonical(path: Path) -> object:
    """A notebook's JSON for comparison. nbgrader's output is deterministic, so nothing is normalised
    except JSON formatting (key order and indentation)."""
    return json.loads(path.read_text(encoding="utf-8"))


def differences(generated: Path, committed: Path) -> list[str]:
    """How a committed release folder differs from a freshly generated one (empty when in sync)."""
    if not committed.is_dir():
        return [f"{committed.name}: missing from {committed.parent.name}/ (run make release)"]
    out = []
    gen = {p.relative_to(generated) for p in generated.rglob("*") if p.is_file()}
    com = {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()
           and ".ipynb_checkpoints" not in p.parts}
    for rel in sorted(gen - com):
        out.append(f"{committed.name}/{rel}: missing from the committed release")
    for rel in sorted(com - gen):
        out.append(f"{committed.name}/{rel}: not produced by nbgrader from solutions/ (stale or hand-made)")
    for rel in sorted(gen & com):
        a, b = generated / rel, committed / rel
        if rel.suffix == ".ipynb":
            if _canonical(a) != _canonical(b):
                out.append(f"{committed.name}/{rel}: differs from what nbgrader generates (edited by hand?)")
        elif not filecmp.cmp(a, b, shallow=False):
            out.append(f"{committed.name}/{rel}: differs from solutions/")
    return out


def secret_line() -> str:
    """The one line ``make release`` says about the course secret: the release is the default variant."""
    try:
        secret = variants.read_secret()
    except variants.VariantError as exc:
        return f"release: the default variant ({exc})"
    if secret is None:
        return f"release: no course secret at {variants.secret_path()}: the default variant (docs/variants.md)"
    return (f"release: the default variant (the course secret at {variants.secret_path()} never reaches "
            f"assignments/; your class's variant: classroom variant ASSIGNMENT --out DIR)")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(a.startswith("-") for a in args):
        print("usage: python -m classroom.authoring.release [ASSIGNMENT ...]  (ids or unique prefixes such as ps2)",
              file=sys.stderr)
        return 2
    try:
        ids = resolve(args)
    except AssignmentError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 2
    if not ids:
        print(f"release: no assignments in {SOLUTIONS.name}/ (expected solutions/<id>/<id>.ipynb)",
              file=sys.stderr)
        return 2
    print(secret_line())
    try:
        for line in release(ids):
            print(line)
    except (ReleaseError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"release: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
