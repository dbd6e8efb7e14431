"""Check the assignments are sound before they are released.

    python -m classroom.authoring.integrity [ASSIGNMENT ...] [--no-sync]      (make check)

The full check (without --no-sync) also prints, per assignment, the share of wrong submissions that a
visible test catches (classroom.authoring.visible_catch; goal: all), and fails below it. Every assignment is also
checked for trust (classroom.authoring.assignment_checks): pointers to course headings, markdown that renders as
code, question numbers against grade ids, one patient per test cell, neutral ids, no double negatives,
expected values as literals in the test cells, graded items resting only on current knowledge entries
(declared in each graded cell's metadata, literals compared with the entries they name).

The solution notebook solutions/<id>/<id>.ipynb, edited in JupyterLab with nbgrader's Create Assignment
toolbar, is the only source (docs/authoring.md).

For every assignment in solutions/: grade ids are present and unique; every autograded answer cell is
followed by a locked test cell with points and a visible test; hidden tests exist; solution and
hidden-test delimiters sit only in the right cells; every written answer has a mark scheme; the total
stated in the notebook equals the points of its cells; the wrong-submission file is sound; no
solution, hidden-test or mark-scheme text appears in assignments/; and assignments/ is exactly what
nbgrader generates from solutions/ (the sync check runs nbgrader; --no-sync skips it).
Prints one report line per assignment and every problem; exit status 1 when there is a problem.
With a course secret (docs/variants.md), or --variant, the class's variant of each assignment that has a draw
module is checked too (classroom.authoring.variant_release.variant_problems): its cells, model answers full
marks, a blank submission zero, and every wrong submission still losing points.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import nbformat

from classroom.authoring import assignment_checks as checks
from classroom.authoring import seal, wrong_submissions
from classroom.authoring.assignment_model import (
    ASSIGNMENT_ID,
    ASSIGNMENTS,
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    ROOT,
    SOLUTIONS,
    AssignmentError,
    Cell,
    assignment_ids,
    autograded_points,
    leaks,
    manual_points,
    notebooks,
    read_cells,
    release_text,
    resolve,
)

TOTAL = re.compile(r"Total:\s*(\d+(?:\.\d+)?)\s*points", re.IGNORECASE)


def _balanced(cell: Cell, begin: str, end: str) -> bool:
    depth = 0
    for line in cell.source.split("\n"):
        if begin.replace("### ", "") in line:
            depth += 1
            if depth > 1:
                return False
        elif end.replace("### ", "") in line:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def source_problems(assignment_id: str, cells: list[Cell], nb_name: str) -> list[str]:
    """Structural problems of one source notebook."""
    out: list[str] = []
    where = f"{assignment_id}/{nb_name}"
    seen: set[str] = set()
    for c in cells:
        if c.kind != "plain" and not c.grade_id:
            out.append(f"{where}: cell {c.index} ({c.kind}) has no grade_id")
        if c.grade_id:
            if c.grade_id in seen:
                out.append(f"{where}: grade id {c.grade_id!r} is used twice")
            seen.add(c.grade_id)
        has_sol = "BEGIN SOLUTION" in c.source
        has_hidden = "BEGIN HIDDEN TESTS" in c.source
        if has_sol and c.kind not in ("answer", "manual"):
            out.append(f"{where}: {c.grade_id or f'cell {c.index}'} has a solution region but is not a solution cell")
        if has_hidden and c.kind != "test":
            out.append(f"{where}: {c.grade_id or f'cell {c.index}'} has hidden tests but is not a test cell")
        if not _balanced(c, BEGIN_SOLUTION, "### END SOLUTION") or not _balanced(c, BEGIN_HIDDEN, END_HIDDEN):
            out.append(f"{where}: {c.grade_id or f'cell {c.index}'} has unbalanced BEGIN/END delimiters")
        if c.kind == "test":
            if not c.locked:
                out.append(f"{where}: test cell {c.grade_id} is not locked")
            if c.points <= 0:
                out.append(f"{where}: test cell {c.grade_id} has no points")
            visible = "\n".join(ln for ln in c.source.split("\n")
                                if ln not in c.region(BEGIN_HIDDEN, END_HIDDEN))
            if "assert" not in visible:
                out.append(f"{where}: test cell {c.grade_id} has no visible test (an assert outside the hidden block)")
        if c.kind in ("manual", "task") and c.points <= 0:
            out.append(f"{where}: hand-graded cell {c.grade_id} has no points")
        if c.kind == "manual" and "mark scheme" not in "\n".join(c.region(BEGIN_SOLUTION, "### END SOLUTION")).lower():
            out.append(f"{where}: written answer {c.grade_id} has no 'Mark scheme' inside its solution region")
        if c.kind == "answer" and not has_sol:
            out.append(f"{where}: answer cell {c.grade_id} has no ### BEGIN SOLUTION region")
    # Every autograded answer is followed by at least one test cell before the next answer.
    for i, c in enumerate(cells):
        if c.kind != "answer":
            continue
        following = []
        for d in cells[i + 1:]:
            if d.kind in ("answer", "manual"):
                break
            if d.kind == "test":
                following.append(d)
        if not following:
            out.append(f"{where}: answer cell {c.grade_id} has no test cell after it")
    if not any(c.region(BEGIN_HIDDEN, END_HIDDEN) for c in cells if c.kind == "test"):
        out.append(f"{where}: no hidden tests (### BEGIN HIDDEN TESTS) in any test cell")
    if not any(c.kind == "test" for c in cells):
        out.append(f"{where}: no autograded test cell")
    total = autograded_points(cells) + manual_points(cells)
    stated = [float(m.group(1)) for c in cells if c.cell_type == "markdown" and c.kind in ("plain", "locked")
              for m in TOTAL.finditer(c.source)]
    if not stated:
        out.append(f"{where}: the notebook does not state 'Total: N points'")
    elif stated[0] != total:
        out.append(f"{where}: the notebook states Total: {stated[0]:g} points, its cells carry {total:g}")
    return out


def trust_problems(assignment_id: str, cells: list[Cell], nb: Path, assignments: Path = ASSIGNMENTS) -> list[str]:
    """The checks of classroom.authoring.assignment_checks on one source notebook and its release."""
    where = f"{assignment_id}/{nb.name}"
    out = checks.rendering_problems(cells, where) + checks.numbering_problems(cells, where)
    out += checks.checked_now_problems(cells, where)
    out += checks.one_item_per_cell_problems(cells, where) + checks.several_items_problems(cells, where)
    out += checks.double_negative_problems(cells, where) + checks.bare_pointer_problems(cells, where)
    out += checks.message_prefix_problems(cells, where)
    out += checks.kernel_expectation_problems(cells, where) + checks.answer_read_problems(cells, where)
    out += checks.knowledge_problems(cells, where)
    out += checks.giveaway_check_problems(cells, where) + checks.passing_line_problems(cells, where)
    out += checks.answer_form_problems(cells, where)
    out += [f"{where}: {p}" for p in seal.unsealed_problems(nbformat.read(str(nb), as_version=4))]
    for c in cells:
        if c.kind in ("test", "manual") or c.cell_type == "markdown":
            out += checks.pointer_problems(c.source, f"{where} {c.grade_id or f'cell {c.index}'}",
                                           code=c.cell_type == "code")
    released = assignments / assignment_id / nb.name
    if released.exists():
        out += checks.giveaway_problems(release_text(released), f"{assignment_id}/{nb.name} (student version)")
    return out


def leak_problems(assignment_id: str, cells: list[Cell], release_dir: Path) -> list[str]:
    """Secret text found anywhere in a release folder."""
    out: list[str] = []
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        try:
            text = release_text(path)
        except (UnicodeDecodeError, ValueError):
            continue
        rel = path.relative_to(release_dir.parent)
        out += [f"{rel}: leaks {leak}" for leak in leaks(cells, text)]
    return out


def check(ids: list[str], sync: bool = True, solutions: Path = SOLUTIONS,
          assignments: Path = ASSIGNMENTS) -> tuple[list[str], list[str]]:
    """(report lines, problems) for the given assignments."""
    report: list[str] = []
    problems: list[str] = []
    for a in ids:
        mine: list[str] = []
        if not ASSIGNMENT_ID.match(a):
            mine.append(f"{a}: assignment id should look like ps<N>_<topic> (lower case)")
        nbs = notebooks(a, solutions)
        if not (solutions / a / f"{a}.ipynb").exists():
            mine.append(f"{a}: expected the notebook solutions/{a}/{a}.ipynb")
        all_cells: list[Cell] = []
        auto = manual = 0.0
        for nb in nbs:
            try:
                cells = read_cells(nb)
            except AssignmentError as exc:
                mine.append(str(exc))
                continue
            mine += source_problems(a, cells, nb.name)
            mine += trust_problems(a, cells, nb, assignments)
            ids_here = {c.grade_id for c in all_cells if c.grade_id}
            for c in cells:
                if c.grade_id and c.grade_id in ids_here:
                    mine.append(f"{a}: grade id {c.grade_id!r} appears in two notebooks")
            all_cells += cells
            auto += autograded_points(cells)
            manual += manual_points(cells)
            if (assignments / a).is_dir():
                mine += leak_problems(a, cells, assignments / a)
        if not (assignments / a).is_dir():
            mine.append(f"{a}: not released yet (run make release)")
        try:
            mistakes = wrong_submissions.load(a)
            mine += [f"{a}: wrong submissions: {p}" for p in wrong_submissions.problems(mistakes, all_cells)]
        except wrong_submissions.SpecError as exc:
            mistakes = []
            mine.append(f"{a}: {exc}")
        n_tests = sum(1 for c in all_cells if c.kind == "test")
        n_hidden = sum(1 for c in all_cells if c.kind == "test" and c.region(BEGIN_HIDDEN, END_HIDDEN))
        n_written = sum(1 for c in all_cells if c.kind in ("manual", "task"))
        report.append(
            f"{a}: {n_tests} test cells ({auto:g} points, {n_hidden} with hidden tests), "
            f"{n_written} hand-graded ({manual:g} points), {len(mistakes)} wrong submissions: "
            + ("OK" if not mine else f"{len(mine)} problem(s)")
        )
        problems += mine
    if sync and ids:
        problems += sync_problems(ids, solutions, assignments)
    known = set(assignment_ids(solutions))
    if assignments.is_dir():
        for d in sorted(p for p in assignments.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if d.name not in known:
                problems.append(f"assignments/{d.name}: no source in solutions/ (stale release?)")
    return report, problems


def sync_problems(ids: list[str], solutions: Path = SOLUTIONS, assignments: Path = ASSIGNMENTS) -> list[str]:
    """Differences between assignments/ and a fresh nbgrader generation from solutions/."""
    from classroom.authoring.release import ReleaseError, differences, generate_into

    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="osteo-check-") as tmp:
        try:
            built = generate_into(Path(tmp), ids, solutions)
        except ReleaseError as exc:
            return [str(exc)]
        for a, path in built.items():
            out += differences(path, assignments / a)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sync = "--no-sync" not in args
    want_variant = "--variant" in args
    names = [a for a in args if a not in ("--no-sync", "--variant")]
    if any(a.startswith("-") for a in names):
        print("usage: python -m classroom.authoring.integrity [ASSIGNMENT ...] [--no-sync] [--variant]",
              file=sys.stderr)
        return 2
    from classroom.authoring import variants

    try:
        secret = variants.read_secret()
    except variants.VariantError as exc:
        print(f"integrity: {exc}", file=sys.stderr)
        return 2
    if want_variant and secret is None:
        print(f"integrity: --variant needs the course secret (none at {variants.secret_path()}; docs/variants.md)",
              file=sys.stderr)
        return 2
    try:
        ids = resolve(names)
    except AssignmentError as exc:
        print(f"integrity: {exc}", file=sys.stderr)
        return 2
    if not ids:
        print("integrity: no assignments in solutions/ (expected solutions/<id>/<id>.ipynb)", file=sys.stderr)
        return 2
    report, problems = check(ids, sync=False)
    problems += checks.package_pointer_problems()
    if not names:  # the whole course: the README's totals table must match the notebooks
        totals = {}
        for a in ids:
            cells = [c for nb in notebooks(a) for c in read_cells(nb)]
            totals[a] = (autograded_points(cells), manual_points(cells))
        for doc in (ROOT / "README.md", ROOT / "docs" / "assignments.md"):
            if doc.exists():
                problems += checks.totals_table_problems(doc.read_text(encoding="utf-8"), totals, doc.name)
    for line in report:
        print(line)
    if sync:
        out_of_sync = sync_problems(ids)
        print("sync: " + ("assignments/ is exactly what nbgrader generates from solutions/" if not out_of_sync
                          else f"{len(out_of_sync)} difference(s) from what nbgrader generates"))
        problems += out_of_sync
    if sync:  # the full check also measures what the visible tests catch (executes every wrong submission)
        from classroom.authoring import visible_catch

        for a in ids:
            try:
                outcomes = visible_catch.measure(a)
            except wrong_submissions.SpecError:
                continue  # reported above
            print(visible_catch.report_line(a, outcomes))
            sol, outcomes = visible_catch.split(outcomes)
            if sol is not None and sol.caught:
                problems.append(f"{a}: the solution fails the visible checks of {', '.join(sol.cells)}")
            caught = sum(o.caught for o in outcomes)
            if outcomes and caught / len(outcomes) < visible_catch.GOAL:
                problems.append(f"{a}: visible tests catch {caught}/{len(outcomes)} wrong submissions, "
                                f"below the goal of {visible_catch.GOAL:.0%}")
    if sync:  # held-out answers: generated wrong and right values, Validate's verdict against the grade's
        from classroom.authoring import seal_agreement

        for a in ids:
            for path in notebooks(a):
                try:
                    agreement = seal_agreement.check_notebook(path)
                except seal.SealError as exc:
                    problems.append(str(exc))
                    continue
                print(agreement.line())
                problems += [f"{a}: {d.line()}" for d in (agreement.disagreements or [])[:10]]
    if secret is not None:  # a class's variant must be as sound as the default (classroom.authoring.variant_release)
        from classroom.authoring.variant_release import has_draw, variant_problems

        for a in ids:
            if has_draw(a):
                line, found = variant_problems(a, secret)
                print(line)
                problems += found
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("integrity: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
