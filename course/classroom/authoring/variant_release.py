"""A class's variant of the assignments, made outside git from the course secret (docs/variants.md).

    classroom variant ASSIGNMENT ... --out DIR     the class's course folder: DIR/solutions/<id>/ (the variant's
                                                   model answers), DIR/assignments/<id>/ (its student version)
                                                   and DIR/gradebook.db (its hidden tests), by nbgrader itself
    classroom variant --report [ASSIGNMENT ...] [--secrets N]
                                                   the share of autograded points that varies between classes
    classroom check --variant [ASSIGNMENT ...]     (make check with a secret set) the class's variant is as
                                                   sound as the default: see :func:`variant_problems`

DIR must be outside any git work tree (a variant there could be committed). Grade the class in DIR:
``classroom --course-root DIR grade ASSIGNMENT``. Errors: one line on stderr, exit status 2 (bad use) or 1.
"""

from __future__ import annotations

import importlib
import itertools
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from classroom.authoring import variants, wrong_submissions
from classroom.authoring.assignment_model import (
    BEGIN_SOLUTION,
    SOLUTIONS,
    AssignmentError,
    assignment_ids,
    read_cells,
    region_lines,
    resolve,
)
from classroom.authoring.notebook_copy import copy_notebook
from classroom.authoring.variant_preprocessor import apply_variant, fingerprint, git_work_tree, variant_of

END_SOLUTION = "### END SOLUTION"
REPORT_SECRETS = 20


def has_draw(assignment_id: str) -> bool:
    """Whether the assignment has a draw module (classroom.authoring.variants.<id>)."""
    try:
        importlib.import_module(f"{variants.__name__}.{assignment_id}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{variants.__name__}.{assignment_id}":
            raise
        return False
    return True


def drawn_assignments(solutions: Path = SOLUTIONS) -> list[str]:
    """The assignments of solutions/ that have a draw module."""
    return [a for a in assignment_ids(solutions) if has_draw(a)]


def source(assignment_id: str, solutions: Path = SOLUTIONS) -> NotebookNode:
    """The default solution notebook of an assignment."""
    return nbformat.read(str(solutions / assignment_id / f"{assignment_id}.ipynb"), as_version=4)


def variant(assignment_id: str, secret: bytes, solutions: Path = SOLUTIONS) -> NotebookNode:
    """The class's variant of the solution notebook (model answers computed for it)."""
    nb = source(assignment_id, solutions)
    apply_variant(nb, assignment_id, secret, f"{assignment_id}/{assignment_id}.ipynb")
    return nb


# ---- the class's course folder ---------------------------------------------------------------------------

def build(ids: list[str], out: Path, secret: bytes, solutions: Path = SOLUTIONS) -> list[str]:
    """Write the class's course folder ``out`` (outside git) for the given assignments; one line per
    assignment. VariantError when ``out`` is inside a git work tree or a variant cannot be made."""
    from classroom.authoring.release import CONFIG, generate

    out = out.expanduser().resolve()
    top = git_work_tree(out)
    if top is not None:
        raise variants.VariantError(f"{out} is inside the git work tree {top}: a class's variant could be "
                                    f"committed there; choose a folder outside git")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(CONFIG, out / "nbgrader_config.py")
    lines = []
    for a in ids:
        dest = out / "solutions" / a
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(solutions / a, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        nb = variant(a, secret, solutions)
        nbformat.write(nb, str(dest / f"{a}.ipynb"))
        generate(out, a, class_variant=True)
        name = fingerprint(secret, a) if has_draw(a) else "default (no draw module)"
        lines.append(f"{a}: variant {name} -> {dest}/ (model answers) and {out / 'assignments' / a}/ "
                     f"(student version); hidden tests in {out / 'gradebook.db'}")
    return lines


# ---- how much varies -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spread:
    """How much of an assignment's autograded points vary across classes (shares, 0 to 1)."""

    assignment_id: str
    secrets: int
    mean_between: float  # points whose expected answers differ between two classes, on average over pairs
    min_between: float
    min_vs_default: float  # ... between a class and the public default
    max_default_earned: float  # the default's model answers handed in on a class's variant, at most
    min_solution: float  # the variant's own model answers, at least (1.0 when sound)

    def line(self) -> str:
        return (f"{self.assignment_id}: {self.secrets} secrets: {self.mean_between:.0%} of autograded points have "
                f"different expected answers between two classes on average (lowest pair {self.min_between:.0%}), "
                f"at least {self.min_vs_default:.0%} against the public default; the default's model answers "
                f"score at most {self.max_default_earned:.0%} on a class's variant; the variant's own "
                f"{self.min_solution:.0%}")


def measure(assignment_id: str, secrets: list[bytes], solutions: Path = SOLUTIONS) -> Spread:
    """The spread of an assignment over the given secrets (each variant scored in-process)."""
    default = source(assignment_id, solutions)
    folder = solutions / assignment_id
    made = [variant(assignment_id, s, solutions) for s in secrets]
    between = [variants.share_differing(a, b) for a, b in itertools.combinations(made, 2)] or [1.0]
    earned = [variants.share_earned(variants.score(variants.with_answers_of(default, v), folder)) for v in made]
    own = [variants.share_earned(variants.score(copy_notebook(v), folder)) for v in made]
    return Spread(assignment_id, len(secrets), sum(between) / len(between), min(between),
                  min(variants.share_differing(default, v) for v in made), max(earned), min(own))


# ---- make check on the class's variant -------------------------------------------------------------------

def blank(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` with every solution region replaced by a stub that raises (a student who wrote
    nothing): the region's first line keeps its indentation."""
    out = copy_notebook(nb)
    for cell in out.cells:
        if cell.cell_type != "code" or BEGIN_SOLUTION not in cell.source:
            continue
        lines, kept, inside = cell.source.split("\n"), [], False
        for ln in lines:
            if BEGIN_SOLUTION in ln:
                inside = True
                kept.append(ln[: len(ln) - len(ln.lstrip())] + "raise NotImplementedError()")
            elif END_SOLUTION in ln:
                inside = False
            elif not inside:
                kept.append(ln)
        cell.source = "\n".join(kept)
    return out


def _code(source: str) -> str | None:
    """The code of a cell as Python sees it (comments, blank lines and layout dropped); None: not Python."""
    import ast
    import textwrap

    kept = "\n".join(ln for ln in source.split("\n") if BEGIN_SOLUTION not in ln and END_SOLUTION not in ln)
    kept = textwrap.dedent(kept)
    try:
        return ast.dump(ast.parse(kept))
    except SyntaxError:
        return None


def is_the_key(nb: NotebookNode, mistake: wrong_submissions.Mistake) -> bool:
    """True when each cell the mistake replaces holds, in ``nb``, the same code as the mistake: either the whole
    cell or its solution region (a default's wrong value can be a variant's right one: the 12-weekly schedule is
    wrong where the monthly one is asked, and the key where the 12-weekly one is)."""
    cells = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for gid, src in mistake.replace.items():
        cell, code = cells.get(gid), _code(src)
        if cell is None or code is None:
            return False
        region = "\n".join(region_lines(cell.source, BEGIN_SOLUTION, END_SOLUTION))
        if code not in (_code(cell.source), _code(region)):
            return False
    return True


def variant_problems(assignment_id: str, secret: bytes, solutions: Path = SOLUTIONS,
                     agreement: bool = True) -> tuple[str, list[str]]:
    """(report line, problems) of the class's variant of one assignment: it can be made, its cells pass the
    structural and trust checks of make check (knowledge literals against the entries, pointers, nothing given
    away), its model answers earn full marks, a blank submission earns nothing, every wrong submission
    (moved to the variant) still loses points, and (``agreement``) its sealed checks agree with its hidden tests
    on generated answers (classroom.authoring.seal_agreement; runs the variant's model answers once)."""
    from classroom.authoring import integrity

    where = f"{assignment_id} (class variant)"
    nb = source(assignment_id, solutions)
    if variant_of(nb):  # a class's folder (classroom variant --out): its solutions are the variant already
        swaps: list[variants.Swap] = []
    else:
        try:
            swaps = variants.draw(assignment_id, secret)
            nb = variants.apply(nb, swaps, f"{assignment_id}/{assignment_id}.ipynb")
        except variants.VariantError as exc:
            return f"{where}: cannot be made", [str(exc)]
    problems: list[str] = []
    folder = solutions / assignment_id
    with tempfile.TemporaryDirectory(prefix="osteo-variant-") as tmp:
        path = Path(tmp) / f"{assignment_id}.ipynb"
        nbformat.write(nb, str(path))
        try:
            cells = read_cells(path)
        except AssignmentError as exc:
            return f"{where}: unreadable", [str(exc)]
        problems += integrity.source_problems(assignment_id, cells, path.name)
        problems += integrity.trust_problems(assignment_id, cells, path, assignments=Path(tmp) / "none")
    problems = [p.replace(f"{assignment_id}/{path.name}", where, 1) for p in problems]
    full = variants.score(copy_notebook(nb), folder)
    if variants.share_earned(full) < 1.0:
        lost = [gid for gid, (e, p) in full.items() if e < p]
        problems.append(f"{where}: the variant's model answers lose the points of {', '.join(lost)}")
    empty = variants.score(blank(nb), folder)
    if any(e for e, _ in empty.values()):
        problems.append(f"{where}: a blank submission earns points in "
                        f"{', '.join(g for g, (e, _) in empty.items() if e)}")
    try:
        mistakes = wrong_submissions.load(assignment_id)
    except wrong_submissions.SpecError as exc:
        mistakes = []
        problems.append(f"{where}: {exc}")
    caught, turned_right, keys = 0, [], []
    for m in mistakes:
        moved = wrong_submissions.Mistake(m.name, m.why, {g: variants.translate(src, g, swaps)
                                                          for g, src in m.replace.items()},
                                          m.expected, m.expected_total)
        if variants.share_earned(variants.score(wrong_submissions.apply(nb, moved), folder)) < 1.0:
            caught += 1
        elif is_the_key(nb, moved):  # this variant asks for what the default counts wrong: not a mistake here
            keys.append(m.name)
        elif variants.share_earned(variants.score(wrong_submissions.apply(nb, m), folder)) < 1.0:
            # moved to the variant the mistake is its key (x100 is right per 10,000); as written, it still loses
            caught += 1
            turned_right.append(m.name)
        else:
            problems.append(f"{where}: the wrong submission {m.name!r} earns full marks on the variant")
    if agreement:
        from classroom.authoring import seal, seal_agreement

        sealed_nb = copy_notebook(nb)
        try:
            seal.seal_notebook(sealed_nb, folder, where)
            report = seal_agreement.check_notebook(solutions / assignment_id / f"{assignment_id}.ipynb", sealed_nb)
            problems += [f"{where}: {d.line()}" for d in (report.disagreements or [])[:10]]
        except seal.SealError as exc:
            problems.append(str(exc))
    line = (f"{where}: variant {fingerprint(secret, assignment_id)}: model answers "
            f"{variants.share_earned(full):.0%}, blank {variants.share_earned(empty):.0%}, "
            f"{caught}/{len(mistakes) - len(keys)} wrong submissions lose points"
            + (f" ({len(keys)} more are this variant's own model answer: {'; '.join(keys)})" if keys else "")
            + (f" ({len(turned_right)} only as written: moved to this variant they are its key)"
               if turned_right else "")
            + (": OK" if not problems else f": {len(problems)} problem(s)"))
    return line, problems


# ---- the verb --------------------------------------------------------------------------------------------

USAGE = ("usage: classroom variant ASSIGNMENT ... --out DIR | classroom variant --report [ASSIGNMENT ...] "
         "[--secrets N]")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    report = "--report" in args
    out = count = None
    names: list[str] = []
    it = iter(args)
    for a in it:
        if a == "--report":
            continue
        if a in ("--out", "--secrets"):
            value = next(it, None)
            if value is None:
                print(f"variant: {a} needs a value", file=sys.stderr)
                return 2
            if a == "--out":
                out = Path(value)
            elif not value.isdigit() or int(value) < 2:
                print("variant: --secrets needs a whole number of at least 2", file=sys.stderr)
                return 2
            else:
                count = int(value)
        elif a.startswith("-"):
            print(USAGE, file=sys.stderr)
            return 2
        else:
            names.append(a)
    try:
        ids = resolve(names)
    except AssignmentError as exc:
        print(f"variant: {exc}", file=sys.stderr)
        return 2
    if report:
        secrets = [os.urandom(32) for _ in range(count or REPORT_SECRETS)]
        for a in [a for a in ids if has_draw(a)] or []:
            print(measure(a, secrets).line())
        for a in [a for a in ids if not has_draw(a)]:
            print(f"{a}: no draw module (classroom/authoring/variants/{a}.py): every class gets the default")
        return 0
    if out is None or not names:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        secret = variants.read_secret()
        if secret is None:
            print(f"variant: no course secret at {variants.secret_path()}: write one first (docs/variants.md)",
                  file=sys.stderr)
            return 2
        for line in build(ids, out, secret):
            print(line)
    except variants.VariantError as exc:
        print(f"variant: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # nbgrader failed (ReleaseError) or the folder cannot be written
        print(f"variant: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
