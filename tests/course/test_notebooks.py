"""The course notebooks: every one executes top to bottom headless, and every one is clean and complete.

Execution (marker ``notebooks``): every ``course/*.ipynb`` and ``course/app/*.ipynb`` runs in a fresh
``python3`` kernel with nbclient, widgets included, cwd ``course/``, with a per-cell timeout. A cell that is
*meant* to fail (e.g. the primer's demonstration of a failing test) carries the cell tag
``raises-exception``; any other error fails the test with the cell's source and the error's last line.

Hygiene (fast, no kernel), on every notebook under ``course/``, ``solutions/`` and ``assignments/``:
no outputs and no execution counts are committed.

Completeness, on every course notebook ``course/NN_*.ipynb`` (the conventions the course follows):
- a Markdown cell with a "Learning objectives" heading and a time estimate ("about 45 minutes",
  "40-50 minutes") of 30 to 60 minutes, within the first three cells;
- a Markdown heading containing "Summary";
- a code cell calling ``teaching.references([...])`` with a literal list of registry keys, every key of
  which resolves in ``knowledge.references()``; and a call to ``teaching.disclaimer()``;
- at least three active checks (calls of ``quiz``, ``estimate``, ``reveal`` or a function whose name
  contains ``quiz`` or ``exercise``);
- no percentage typed into Markdown by hand (clinical numbers come from the knowledge base, formatted in
  code cells);
- a line in ``course/README.md`` (the map of the course).
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import nbformat
import pytest
from classroom.grading.notebook_client import SlicedWaitClient
from nbclient.exceptions import CellExecutionError
from osteonecrosis import knowledge

from tests.conftest import ASSIGNMENTS, COURSE, SOLUTIONS

CELL_TIMEOUT = 120  # seconds per cell: generous on a loaded 2-core machine; the course total is benchmarked
COURSE_NOTEBOOKS = sorted(COURSE.glob("[0-9][0-9]_*.ipynb"))
APP_NOTEBOOKS = sorted((COURSE / "app").glob("*.ipynb"))
EXPECTED_PREFIXES = [f"{i:02d}_" for i in range(9)]  # notebooks 00 to 08 of issue 3


def _all_notebooks() -> list[Path]:
    found: list[Path] = []
    for top in (COURSE, SOLUTIONS, ASSIGNMENTS):
        found += [p for p in top.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found)


def _rel(path: Path) -> str:
    return str(path.relative_to(COURSE.parent))


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def _markdown(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _calls(source: str) -> list[ast.Call]:
    """Every call in a code cell (IPython magics and shell lines are blanked before parsing)."""
    lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Attribute):
        owner = f.value.id if isinstance(f.value, ast.Name) else ""
        return f"{owner}.{f.attr}" if owner else f.attr
    return f.id if isinstance(f, ast.Name) else ""


def reference_keys(nb: nbformat.NotebookNode) -> list[list[str] | None]:
    """The keys of every ``teaching.references([...])`` call; None for a call whose argument is not a
    literal list of strings (which cannot be checked without running the notebook)."""
    out: list[list[str] | None] = []
    for source in _code(nb):
        for call in _calls(source):
            if _name(call) not in {"teaching.references", "references"}:
                continue
            arg = call.args[0] if call.args else None
            if isinstance(arg, ast.List | ast.Tuple) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in arg.elts):
                out.append([e.value for e in arg.elts])
            else:
                out.append(None)
    return out


TIME_RE = re.compile(r"(\d+)\s*(?:(?:-|–|to)\s*(\d+)\s*)?min(?:ute)?s?\b", re.IGNORECASE)
PERCENT_RE = re.compile(r"\d+(?:[.,]\d+)?\s?%(?!\s*(?:confidence|CI\b))")  # '95% confidence interval' is a term


def objectives_problems(nb: nbformat.NotebookNode) -> list[str]:
    head = [c.source for c in nb.cells[:3] if c.cell_type == "markdown"]
    cells = [s for s in head if re.search(r"^#+.*learning objectives", s, re.IGNORECASE | re.MULTILINE)]
    if not cells:
        return ["no 'Learning objectives' heading in a Markdown cell among the first three cells"]
    match = next((m for s in head for m in TIME_RE.finditer(s)), None)
    if match is None:
        return ["the learning objectives give no time estimate (e.g. 'about 45 minutes')"]
    minutes = [int(g) for g in match.groups() if g]
    if not all(30 <= m <= 60 for m in minutes):
        return [f"time estimate {match.group(0)!r} is outside the 30-60 minutes of study of issue 3"]
    return []


def check_calls(nb: nbformat.NotebookNode) -> int:
    names = [_name(c).split(".")[-1] for s in _code(nb) for c in _calls(s)]
    return sum(1 for n in names if n in {"quiz", "estimate", "reveal", "check"} or "quiz" in n or "exercise" in n)


# --- presence ----------------------------------------------------------------------------------------

def test_every_notebook_of_issue_3_is_there() -> None:
    missing = [p for p in EXPECTED_PREFIXES if not any(nb.name.startswith(p) for nb in COURSE_NOTEBOOKS)]
    assert not missing, f"course notebooks missing: {', '.join(m + '*.ipynb' for m in missing)}"


def test_readme_maps_every_course_notebook_in_order() -> None:
    readme = (COURSE / "README.md").read_text(encoding="utf-8")
    positions = []
    for path in COURSE_NOTEBOOKS:
        assert path.name in readme, f"course/README.md does not list {path.name}"
        positions.append(readme.index(path.name))
    assert positions == sorted(positions), "course/README.md lists the notebooks out of teaching order"


# --- hygiene: nothing executed is committed ----------------------------------------------------------

def dirty_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells that carry outputs or an execution count."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]


@pytest.mark.parametrize("path", _all_notebooks(), ids=_rel)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    dirty = dirty_cells(_read(path))
    assert not dirty, (f"{_rel(path)}: cells {dirty} have outputs or execution counts; clear them with "
                       f"`.venv/bin/jupyter nbconvert --clear-output --inplace {_rel(path)}`")


def test_hygiene_check_catches_an_executed_notebook(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x"), nbformat.v4.new_code_cell("1"),
                                         nbformat.v4.new_code_cell("2"), nbformat.v4.new_code_cell("3")])
    nb.cells[1].execution_count = 1
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="2")]
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    assert dirty_cells(_read(path)) == [1, 2]


# --- completeness of each course notebook ------------------------------------------------------------

@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_has_objectives_with_time_estimate(path: Path) -> None:
    problems = objectives_problems(_read(path))
    assert not problems, f"{path.name}: {problems[0]}"


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_has_summary(path: Path) -> None:
    assert any(re.search(r"^#+.*summary", s, re.IGNORECASE | re.MULTILINE) for s in _markdown(_read(path))), (
        f"{path.name}: no Markdown heading containing 'Summary'")


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_references_resolve(path: Path) -> None:
    calls = reference_keys(_read(path))
    assert calls, f"{path.name}: no teaching.references([...]) call rendering the reference list"
    assert None not in calls, f"{path.name}: pass teaching.references a literal list of keys, e.g. ['aaoms2022']"
    registry = knowledge.references()
    unknown = sorted({k for keys in calls for k in keys if k not in registry})
    assert not unknown, f"{path.name}: reference keys not in references.yaml: {', '.join(unknown)}"
    assert all(calls), f"{path.name}: an empty reference list"


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_has_disclaimer_and_three_checks(path: Path) -> None:
    nb = _read(path)
    names = {_name(c) for s in _code(nb) for c in _calls(s)}
    assert names & {"teaching.disclaimer", "disclaimer"}, f"{path.name}: no teaching.disclaimer() call"
    n = check_calls(nb)
    assert n >= 3, f"{path.name}: {n} active checks (quiz / estimate / reveal); issue 3 asks for at least 3"


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_types_no_percentage_into_markdown(path: Path) -> None:
    hits = [m.group(0) for s in _markdown(_read(path)) for m in PERCENT_RE.finditer(s)]
    assert not hits, (f"{path.name}: percentages typed into Markdown ({', '.join(hits[:5])}); load them from "
                      "the knowledge base and format them in a code cell")


def test_completeness_checks_catch_a_bare_notebook() -> None:
    """The checks above are not vacuous: a notebook without the parts fails each of them."""
    bare = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A notebook\n\nIt says 74% of patients heal (95% confidence interval)."),
        nbformat.v4.new_code_cell("from osteonecrosis import teaching\nteaching.references(KEYS)"),
    ])
    assert objectives_problems(bare)
    assert reference_keys(bare) == [None]
    assert check_calls(bare) == 0
    assert [m.group(0) for s in _markdown(bare) for m in PERCENT_RE.finditer(s)] == ["74%"]
    good = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# T\n\n## Learning objectives\n\nTime: about 45 minutes."),
        nbformat.v4.new_code_cell("teaching.references(['aaoms2022', 'nope'])\nteaching.quiz('q', ['a'], 'a', 'e')"),
    ])
    assert objectives_problems(good) == []
    assert reference_keys(good) == [["aaoms2022", "nope"]]
    assert check_calls(good) == 1
    long = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Learning objectives\n90 minutes")])
    assert "outside" in objectives_problems(long)[0]


# --- issue 11: code above the checks stays within what the primer (notebook 00) teaches ----------------

PRIMER_CHECKED = [p for p in COURSE_NOTEBOOKS if p.name[:2] in {"04", "05", "06", "07", "08"}]
CALLBACK_METHODS = {"observe", "on_click", "on_submit", "interact", "interactive", "link", "dlink"}


def beyond_primer(source: str) -> list[str]:
    """What a code cell shows beyond notebook 00: comprehensions, generator expressions, lambdas, itertools,
    widget callbacks (``.observe``, ``.on_click`` ...). Such code belongs in the package."""
    lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    found = []
    kinds = {ast.ListComp: "list comprehension", ast.SetComp: "set comprehension", ast.DictComp: "dict comprehension",
             ast.GeneratorExp: "generator expression", ast.Lambda: "lambda"}
    for node in ast.walk(tree):
        for kind, name in kinds.items():
            if isinstance(node, kind):
                found.append(name)
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if any(n and n.split(".")[0] == "itertools" for n in names):
                found.append("itertools")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLBACK_METHODS:
            found.append(f"widget callback .{node.func.attr}()")
    return found


@pytest.mark.parametrize("path", PRIMER_CHECKED, ids=lambda p: p.name)
def test_code_cells_stay_within_the_primer(path: Path) -> None:
    problems = [(i, what) for i, c in enumerate(_read(path).cells) if c.cell_type == "code"
                for what in beyond_primer(c.source)]
    assert not problems, (f"{path.name}: code beyond notebook 00's primer (move it into the package): "
                          + "; ".join(f"cell {i}: {what}" for i, what in problems))


def test_primer_check_catches_each_construct() -> None:
    assert beyond_primer("x = [a for a in b]") == ["list comprehension"]
    assert beyond_primer("n = sum(1 for a in b)") == ["generator expression"]
    assert beyond_primer("d = {k: v for k, v in x}\ns = {a for a in b}") == ["dict comprehension", "set comprehension"]
    assert beyond_primer("f = lambda x: x") == ["lambda"]
    assert beyond_primer("import itertools") == ["itertools"] and beyond_primer("from itertools import chain")
    assert beyond_primer("picker.observe(_redraw, names='value')") == ["widget callback .observe()"]
    assert beyond_primer("button.on_click(go)") == ["widget callback .on_click()"]
    primer_code = "total = 0\nfor n in [1, 2]:\n    if n > 1:\n        total = total + n\nprint(f'{total} mg')"
    assert beyond_primer(primer_code) == []


# --- execution ---------------------------------------------------------------------------------------

def _execute(path: Path) -> float:
    nb = _read(path)
    client = SlicedWaitClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                            store_widget_state=True, resources={"metadata": {"path": str(COURSE)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        pytest.fail(f"{_rel(path)} failed: {lines[-1] if lines else exc}\n{exc}", pytrace=False)
    return time.perf_counter() - start


@pytest.mark.notebooks
@pytest.mark.parametrize("path", COURSE_NOTEBOOKS + APP_NOTEBOOKS, ids=_rel)
def test_notebook_executes_headless(path: Path) -> None:
    seconds = _execute(path)
    print(f"{_rel(path)} executed in {seconds:.1f} s")  # for reading (-s); never asserted


# --- issue 11: long tables in 05 and 06 became figures, filterable views or short tables ------------------

OUTPUT_WORD_BOUNDS = {"05_management.ipynb": 1500, "06_prevention.ipynb": 2000}  # were about 4,500 and 3,300


def output_words(nb: nbformat.NotebookNode) -> int:
    """Words a reader sees in the executed cells' outputs (Markdown, HTML without tags, plain text, streams).
    A widget's own view (its state) is not counted: a dropdown shows one short table at a time."""
    total = 0
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for out in c.outputs:
            if out.output_type == "stream":
                total += len(out.text.split())
                continue
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                continue
            for mime in ("text/markdown", "text/html", "text/plain"):
                if mime in data:
                    text = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                    if mime == "text/html":
                        text = re.sub(r"<[^>]+>", " ", text)
                    total += len(text.split())
                    break
    return total


def test_output_word_count_counts_what_a_reader_sees() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x"), nbformat.v4.new_markdown_cell("not output")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("stream", text="one two three"),
        nbformat.v4.new_output("display_data", data={"text/markdown": "| a | b |", "text/plain": "ignored"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<b>bold</b> word"}),
        nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                                                     "text/plain": "VBox(children=...)"}),
    ]
    assert output_words(nb) == 3 + 5 + 2


@pytest.mark.notebooks
@pytest.mark.parametrize("name", sorted(OUTPUT_WORD_BOUNDS))
def test_executed_output_of_05_and_06_stays_short(name: str) -> None:
    nb = _read(COURSE / name)
    client = SlicedWaitClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                              resources={"metadata": {"path": str(COURSE)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{name} failed to execute: {str(exc).splitlines()[-1]}", pytrace=False)
    words = output_words(nb)
    print(f"{name}: {words} words of output")
    assert words <= OUTPUT_WORD_BOUNDS[name], (f"{name}: {words} words of output (bound "
                                               f"{OUTPUT_WORD_BOUNDS[name]}); turn long tables into figures, "
                                               "filterable views or short tables")


# --- issue 19: a course notebook's cells show no check's answer ----------------------------------------------------

LITERAL_CHECKS = {"quiz", "estimate", "reveal"}


def answer_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Checks written out in a cell (``teaching.quiz(..., answer=...)``, ``estimate(low=..)``, ``reveal``): the
    student would read the answer above the widget. Course notebooks ask their checks by id
    (``teaching.check("NN-...")``), and every id asked exists in checks/*.yaml."""
    from osteonecrosis import teaching

    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for call in _calls(cell.source):
            name = _name(call).split(".")[-1]
            if name in LITERAL_CHECKS:
                found.append(f"cell {i}: {name}(...) written out in the cell: move it to checks/*.yaml and call "
                             "teaching.check(id)")
            if name == "check" and call.args and isinstance(call.args[0], ast.Constant):
                if call.args[0].value not in teaching.checks():
                    found.append(f"cell {i}: check {call.args[0].value!r} is in no checks/*.yaml")
    return found


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_course_notebook_cells_show_no_check_answer(path: Path) -> None:
    problems = answer_problems(_read(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_every_check_entry_is_asked_by_its_notebook_once() -> None:
    from osteonecrosis import teaching

    asked: dict[str, int] = {}
    for path in COURSE_NOTEBOOKS:
        for source in _code(_read(path)):
            for call in _calls(source):
                if _name(call).split(".")[-1] == "check" and call.args and isinstance(call.args[0], ast.Constant):
                    check_id = call.args[0].value
                    asked[check_id] = asked.get(check_id, 0) + 1
                    assert teaching.checks()[check_id]["notebook"] == path.stem, (check_id, path.name)
    assert {k: v for k, v in asked.items() if v != 1} == {}
    assert sorted(set(teaching.checks()) - set(asked)) == [], "checks no notebook asks"


def test_answer_check_catches_a_written_out_quiz() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("teaching.quiz('q', ['a', 'b'], answer='a', explanation='e')"),
        nbformat.v4.new_code_cell("teaching.check('99-no-such-check')"),
    ])
    problems = answer_problems(nb)
    assert len(problems) == 2 and "written out" in problems[0] and "no checks" in problems[1]
