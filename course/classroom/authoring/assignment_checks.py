"""Checks that make an assignment trustworthy to a student (issue 11) and to the grader (issues 10, 12).

Each function takes the cells of a source notebook (``classroom.authoring.assignment_model.read_cells``) or a
student-facing text and returns a list of one-line problems (empty when sound). ``classroom.authoring.integrity``
runs them all in ``make check``; the tests call them one by one.

- :func:`pointer_problems`: every "where to look" pointer ``notebook 04, 'Section'`` names a heading
  that notebook really has;
- :func:`rendering_problems`: no markdown cell renders as a code block by accident (indented text);
- :func:`numbering_problems`: question numbers in the headings match the grade ids (``q3_...``);
- :func:`one_item_per_cell_problems`: a test cell grades at most one patient (no all-or-nothing groups);
- :func:`several_items_problems`: a test cell worth more than one point asserts on one entry of an answer;
- :func:`giveaway_problems`: no student-facing case id or label gives the answer away;
- :func:`double_negative_problems`: no answer key name with a double negative;
- :func:`kernel_expectation_problems`: test cells hold their expected values as literals fixed when the
  assignment was built; they import nothing from the package except ``osteonecrosis.exercises``;
- :func:`knowledge_problems`: every graded cell declares in its metadata the knowledge entries it rests
  on; none of them is superseded, contested or unverified, and each literal tied to an entry's field equals
  that field (a change in the knowledge base shows up in make check, naming the cell to update).
"""

from __future__ import annotations

import ast
import builtins
import difflib
import re
from functools import cache, lru_cache
from typing import Any

import mistune
import nbformat

from classroom.authoring.assignment_model import BEGIN_HIDDEN, END_HIDDEN, PACKAGE_ROOT, ROOT, Cell, region_lines


@lru_cache(maxsize=8192)
def _parse(source: str) -> ast.Module:
    """A cell's syntax tree, parsed once: every check of every variant and wrong submission reads the same cells
    (a third of a variant's check time went to parsing and walking them again). Trees are read, never changed."""
    return ast.parse(source)


@lru_cache(maxsize=65536)
def _walk(node: ast.AST) -> tuple[ast.AST, ...]:
    """Every node under ``node`` (itself included), as ast.walk gives them, listed once per node."""
    return tuple(ast.walk(node))

COURSE = ROOT / "course"

POINTER = re.compile(r"notebook (\d{2}),?\s+['‘\"]([^'’\"\n]+)['’\"]")
QUESTION_HEADING = re.compile(r"^#{2,4}\s*Question\s+(\d+)\b", re.MULTILINE)
GRADE_ID_QUESTION = re.compile(r"^(?:ps\d+_)?q(\d+)_")
PATIENT_LABEL = re.compile(r"Patient \d+")
# Words in a case id that state the answer (a stage, a diagnosis, the decisive finding).
GIVEAWAY = re.compile(r"stage\d|at-risk|-orn\b|metastasis|short-exposure|no-pain|fracture|oroantral")
DOUBLE_NEGATIVE = re.compile(r"^(?:no|not|non)_.*_(?:no|not|non)_|^(?:no|not)_no_|_no_no_")
ALLOWED_TEST_IMPORTS = {"osteonecrosis.exercises", "math", "datetime", "unicodedata", "itertools"}


# ---- pointers --------------------------------------------------------------------------------------------

@cache
def headings(number: str) -> tuple[str, ...]:
    """The markdown headings of course notebook ``number`` ('04'), without '#' and section numbers."""
    found = sorted(COURSE.glob(f"{number}_*.ipynb"))
    if not found:
        return ()
    nb = nbformat.read(str(found[0]), as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.split("\n"):
            m = re.match(r"^#+\s+(?:\d+\.\s+)?(.*)$", line.strip())
            if m:
                out.append(m.group(1).replace("`", "").strip())
    return tuple(out)


def message_texts(source: str) -> list[str]:
    """The text a cell shows: a markdown cell's source; a code cell's string constants (messages), with the
    implicit concatenations Python joins."""
    try:
        tree = _parse(source)
    except SyntaxError:
        return [source]
    return [n.value for n in _walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def pointer_problems(text: str, where: str, code: bool = False) -> list[str]:
    """Pointers "notebook NN, 'Section'" in ``text`` whose section is not a heading of notebook NN (``code``:
    the text is Python source, and its string constants are searched)."""
    out = []
    texts = message_texts(text) if code else [text]
    found = [p for t in texts for p in POINTER.findall(t)]
    for number, section in found:
        hs = headings(number)
        if not hs:
            out.append(f"{where}: points to notebook {number}, which does not exist")
        elif not any(section.lower() in h.lower() for h in hs):
            near = difflib.get_close_matches(section, hs, n=1, cutoff=0.4)
            hint = f" (renamed? the closest heading is '{near[0]}')" if near else ""
            out.append(f"{where}: points to notebook {number}, '{section}', which is not a heading there{hint}: "
                       f"update this pointer")
    return out


NOTEBOOK_MENTION = re.compile(r"notebook (\d+)\b")


def bare_pointer_problems(cells: list[Cell], where: str) -> list[str]:
    """Test messages that send the student to a notebook without naming the section ("(notebook 04)"): every
    pointer in feedback names the heading to read, as "notebook 04, 'AAOMS stages'"."""
    out = []
    for c in cells:
        if c.kind != "test":
            continue
        for text in message_texts(c.source):
            for m in NOTEBOOK_MENTION.finditer(text):
                if not POINTER.match(text, m.start()):
                    out.append(f"{where} {c.grade_id}: {text.strip()[:70]!r} points to notebook {m.group(1)} "
                               f"without a section: write \"notebook {m.group(1)}, 'Heading'\"")
    return out


def _message_start(msg: ast.expr) -> str | None:
    """The literal text an assert message starts with (None when it starts with a computed value)."""
    if isinstance(msg, ast.Constant) and isinstance(msg.value, str):
        return msg.value
    if isinstance(msg, ast.JoinedStr) and msg.values and isinstance(msg.values[0], ast.Constant):
        return str(msg.values[0].value)
    if isinstance(msg, ast.BinOp):
        return _message_start(msg.left)
    return None


def message_prefix_problems(cells: list[Cell], where: str) -> list[str]:
    """Asserts in test cells (visible and hidden) without a message, or whose message does not start with the
    question it belongs to ("Q4 ...", the number of the cell's grade id): a student reads feedback by question."""
    out = []
    for c in cells:
        if c.kind != "test":
            continue
        m = GRADE_ID_QUESTION.match(c.grade_id or "")
        try:
            tree = _parse(c.source)
        except SyntaxError:
            continue
        for node in _walk(tree):
            if not isinstance(node, ast.Assert):
                continue
            if node.msg is None:
                out.append(f"{where} {c.grade_id}: an assert without a message: {ast.unparse(node.test)[:60]}")
                continue
            start = _message_start(node.msg)
            if m and start is not None and not re.match(rf"Q{m.group(1)}(?!\d)", start):
                out.append(f"{where} {c.grade_id}: the message {start[:50]!r} does not start with 'Q{m.group(1)}'")
    return out


def package_pointer_problems() -> list[str]:
    """Pointers "notebook NN, 'Heading'" everywhere a student reads one outside the assignments: the course
    notebooks (each cell), the package's messages (widgets, quizzes, helpers) and the knowledge files. Renaming
    a heading in a course notebook then fails make check with the file and cell of each pointer to update."""
    out = []
    for path in sorted(COURSE.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for i, cell in enumerate(nb.cells):
            out += pointer_problems(cell.source, f"course/{path.name} cell {i}", code=cell.cell_type == "code")
    package = PACKAGE_ROOT / "course" / "osteonecrosis"
    for path in sorted(package.rglob("*.py")):
        out += pointer_problems(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE_ROOT)), code=True)
    for path in sorted(package.rglob("*.yaml")):
        out += pointer_problems(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE_ROOT)))
    return out


# ---- presentation ----------------------------------------------------------------------------------------

_MARKDOWN = mistune.create_markdown(renderer=None)


def _indented_code(tokens: list[dict[str, Any]]) -> list[str]:
    out = []
    for tok in tokens:
        if tok.get("type") == "block_code" and tok.get("style") == "indent":
            out.append(tok.get("raw", "").strip().split("\n")[0])
        out += _indented_code(tok.get("children") or [])
    return out


def rendering_problems(cells: list[Cell], where: str) -> list[str]:
    """Markdown cells with text that renders as a code block (indented by four spaces or more)."""
    out = []
    for c in cells:
        if c.cell_type == "markdown":
            for first in _indented_code(_MARKDOWN(c.source)):
                out.append(f"{where}: markdown cell {c.grade_id or c.index} renders as code: {first[:50]!r}")
    return out


def numbering_problems(cells: list[Cell], where: str) -> list[str]:
    """Graded cells whose grade id does not carry the number of the question heading above them."""
    out = []
    current: int | None = None
    seen: list[int] = []
    for c in cells:
        if c.cell_type == "markdown":
            for m in QUESTION_HEADING.finditer(c.source):
                current = int(m.group(1))
                seen.append(current)
        if c.kind not in ("answer", "test", "manual"):
            continue
        m = GRADE_ID_QUESTION.match(c.grade_id or "")
        if not m:
            out.append(f"{where}: graded cell {c.grade_id} has no question number (q<N>_...)")
        elif current is None or int(m.group(1)) != current:
            out.append(f"{where}: {c.grade_id} sits under Question {current}, its id says {m.group(1)}")
    if seen != list(range(1, len(seen) + 1)):
        out.append(f"{where}: questions are numbered {seen}, expected 1 to {len(seen)} in order")
    return out


def checked_now_problems(cells: list[Cell], where: str) -> list[str]:
    """Autograded questions whose text does not say what is checked now (visible) and, when the question has
    hidden tests, what is checked at grading."""
    out = []
    heading: dict[int, str] = {}
    for c in cells:
        if c.cell_type == "markdown":
            for m in QUESTION_HEADING.finditer(c.source):
                heading[int(m.group(1))] = " ".join(c.source.lower().split())
    for n, text in sorted(heading.items()):
        tests_here = [c for c in cells if c.kind == "test" and (m := GRADE_ID_QUESTION.match(c.grade_id or ""))
                      and int(m.group(1)) == n]
        if not tests_here:
            continue
        if "checked now" not in text:
            out.append(f"{where}: Question {n} does not say what its visible tests check now ('Checked now: ...')")
        if any(hidden_region(c) for c in tests_here) and "at grading" not in text:
            out.append(f"{where}: Question {n} does not say what its hidden tests check at grading")
    return out


def _strings(source: str) -> list[str]:
    try:
        tree = _parse(source)
    except SyntaxError:
        return []
    return [n.value for n in _walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def one_item_per_cell_problems(cells: list[Cell], where: str) -> list[str]:
    """Test cells that grade several patients at once (all or nothing): one patient, one cell."""
    out = []
    for c in cells:
        if c.kind != "test" or "form" in (c.grade_id or ""):
            continue
        labels = {s for s in _strings(c.source) if PATIENT_LABEL.fullmatch(s)}
        if len(labels) > 1:
            out.append(f"{where}: {c.grade_id} grades {len(labels)} patients in one cell ({', '.join(sorted(labels))})")
    return out


def _literal_len(node: ast.AST) -> int:
    """How many items a literal collection iterated over holds (``{...}``, ``[...]``, ``(...)``, or
    ``{...}.items()``/``.keys()``/``.values()``); 0 when the node is not a literal collection."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "keys", "values")):
        node = node.func.value
    if isinstance(node, ast.Dict):
        return len(node.keys)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return len(node.elts)
    return 0


def _entries_read(node: ast.AST, answers: set[str], names: set[str] | None = None) -> set[str]:
    """Entries of an answer that ``node`` reads: ``ans["k"]`` or ``ans.get("k")`` with a literal key (as
    ``ans['k']``), or, when ``names`` is given, with one of those loop names as the key (as ``ans[<name>]``)."""
    out: set[str] = set()
    for n in _walk(node):
        base, key = None, None
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name):
            base, key = n.value.id, n.slice
        elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get"
              and isinstance(n.func.value, ast.Name) and n.args):
            base, key = n.func.value.id, n.args[0]
        if base not in answers or key is None:
            continue
        if isinstance(key, ast.Constant) and names is None:
            out.add(f"{base}[{key.value!r}]")
        elif isinstance(key, ast.Name) and names is not None and key.id in names:
            out.add(f"{base}[{key.id}]")
    return out


def _asserted_reads(body: list[ast.stmt], answers: set[str], names: set[str] | None = None) -> set[str]:
    """Entries of the answers that the asserts in ``body`` read, directly or through a variable assigned
    from them first (``got = ans[group]; assert got == want`` reads ``ans[group]``)."""
    carried: dict[str, set[str]] = {}

    def reads(node: ast.AST) -> set[str]:
        out = _entries_read(node, answers, names)
        for n in _walk(node):
            if isinstance(n, ast.Name) and n.id in carried:
                out |= carried[n.id]
        return out

    found: set[str] = set()
    for stmt in body:
        for node in _walk(stmt):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value is not None:
                got = reads(node.value)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for n in _walk(t):
                        if isinstance(n, ast.Name) and got:
                            carried[n.id] = carried.get(n.id, set()) | got
            elif isinstance(node, ast.Assert):
                found |= reads(node)
    return found


def _collection_compares(tree: ast.Module, answers: set[str]) -> int:
    """Items of the literal lists, sets and dicts that an assert compares an answer with, as a whole
    (``assert sorted(given) == ["a", "b"]`` after ``given = f(answer)``): each item is a separate decision
    graded all or nothing. Tuples are left out: a pair such as (low, high) is one item."""
    derived = set(answers)
    for node in _walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(n, ast.Name) and n.id in derived
                                                for n in _walk(node.value)):
            derived |= {n.id for t in node.targets for n in _walk(t) if isinstance(n, ast.Name)}
    seen: dict[str, int] = {}
    for node in _walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for cmp in (n for n in _walk(node.test) if isinstance(n, ast.Compare)):
            if not all(isinstance(op, ast.Eq | ast.NotEq) for op in cmp.ops):
                continue
            sides = [cmp.left, *cmp.comparators]
            if not any(isinstance(n, ast.Name) and n.id in derived for side in sides for n in _walk(side)):
                continue
            for side in sides:
                if isinstance(side, ast.List | ast.Set) and len(side.elts) > 1:
                    seen[ast.dump(side)] = len(side.elts)
                elif isinstance(side, ast.Dict) and len(side.keys) > 1:
                    seen[ast.dump(side)] = len(side.keys)
    return max(seen.values(), default=0)


def _asserted_entries(source: str, answers: set[str]) -> int:
    """How many independent entries of the answers one test cell asserts on: each literal key asserted on
    (directly or through a variable) counts one, and an assert inside a loop over a literal collection of N
    items, reading the answer at the loop's name, counts N."""
    try:
        tree = _parse(source)
    except SyntaxError:
        return 0
    literal = _asserted_reads(tree.body, answers)
    looped = 0
    for node in _walk(tree):
        if not isinstance(node, ast.For) or _literal_len(node.iter) < 2:
            continue
        targets = {n.id for n in _walk(node.target) if isinstance(n, ast.Name)}
        if _asserted_reads(node.body, answers, targets):
            looped += _literal_len(node.iter)
    return max(len(literal) + looped, _collection_compares(tree, answers))


def several_items_problems(cells: list[Cell], where: str) -> list[str]:
    """Test cells worth more than one point that assert on several independent entries of an answer
    dictionary or list (all or nothing): one entry, one cell, one point."""
    answers: set[str] = set()
    for c in cells:
        if c.kind == "answer":
            answers |= _names_bound(c.source)
    out = []
    for c in cells:
        if c.kind != "test" or c.points <= 1:
            continue
        n = _asserted_entries(c.source, answers)
        if n > 1:
            out.append(f"{where}: {c.grade_id} ({c.points:g} points) asserts on {n} independent entries of one "
                       f"answer: give each entry its own 1-point test cell")
    return out


def giveaway_problems(text: str, where: str) -> list[str]:
    """Case ids of the library, shown to students, whose words give the answer away."""
    from osteonecrosis import library

    out = []
    for cid in sorted(library()):
        if GIVEAWAY.search(cid) and re.search(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", text):
            out.append(f"{where}: shows the case id {cid!r}, which gives the answer away; use a neutral label")
    return out


def double_negative_problems(cells: list[Cell], where: str) -> list[str]:
    """Answer key names (text in answer cells) built on a double negative."""
    out = []
    for c in cells:
        if c.kind in ("answer", "test"):
            for s in set(_strings(c.source)):
                if re.fullmatch(r"[a-z0-9_]+", s) and DOUBLE_NEGATIVE.search(s):
                    out.append(f"{where}: {c.grade_id} uses the double-negative key {s!r}")
    return sorted(set(out))


# ---- integrity of expected values ------------------------------------------------------------------------

def _imports(source: str) -> list[str]:
    try:
        tree = _parse(source)
    except SyntaxError:
        return ["<unparsable test cell>"]
    mods = []
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            mods += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if base == "osteonecrosis":
                mods += [f"osteonecrosis.{a.name}" for a in node.names]
            else:
                mods.append(base)
    return mods


def kernel_expectation_problems(cells: list[Cell], where: str) -> list[str]:
    """Test cells that could compute an expected value in the student's kernel from anything the student's
    code can change (the knowledge base, the case library, the package's rules, a value a set-up cell
    computed). A test cell may use only its own names, the names the answer cells define, builtins, the pure
    answer-shape helpers of ``osteonecrosis.exercises`` and a few standard modules; expected values are
    literals written in the solution notebook (tied to their knowledge entry by the cell's metadata)."""
    out = []
    bound = _package_names([c.source for c in cells if c.cell_type == "code"])
    answers: set[str] = set()
    for c in cells:
        if c.kind == "answer":
            answers |= _names_bound(c.source)
    for c in cells:
        if c.kind != "test":
            continue
        for mod in _imports(c.source):
            if mod not in ALLOWED_TEST_IMPORTS:
                out.append(f"{where}: {c.grade_id} imports {mod}: write the expected value as a literal at build time")
        for name in sorted(_names_used(c.source) - _names_bound(c.source) - answers - BUILTINS):
            what = f" ({bound[name]})" if name in bound else ""
            out.append(f"{where}: {c.grade_id} uses {name}{what} from the kernel: a test may use only the student's "
                       f"answers and literals fixed at build time")
    return out


BUILTINS = set(dir(builtins))


def _names_bound(source: str) -> set[str]:
    """Names a cell binds itself (assignments, loop and comprehension targets, defs, imports, arguments)."""
    try:
        tree = _parse(source)
    except SyntaxError:
        return set()
    out: set[str] = set()
    for node in _walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            out.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
    return out


def _package_names(sources: list[str]) -> dict[str, str]:
    """Names that cells bind to parts of the package other than osteonecrosis.exercises (name -> module)."""
    bound: dict[str, str] = {}
    for source in sources:
        try:
            tree = _parse(source)
        except SyntaxError:
            continue
        for node in _walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == "osteonecrosis" and a.name != "osteonecrosis.exercises":
                        bound[a.asname or a.name.split(".")[0]] = a.name
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "osteonecrosis":
                for a in node.names:
                    qual = f"{node.module}.{a.name}"
                    if node.module != "osteonecrosis.exercises" and qual != "osteonecrosis.exercises":
                        bound[a.asname or a.name] = qual
    return bound


def _names_used(source: str) -> set[str]:
    try:
        tree = _parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in _walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def answer_read_problems(cells: list[Cell], where: str) -> list[str]:
    """Test cells that name an answer only as text (``answer_of("x")``) and never read ``x`` itself: a grader
    that takes out of the student's kernel only the names a test reads (issue 12's checker) would not see it."""
    out = []
    for c in cells:
        if c.kind != "test":
            continue
        try:
            tree = _parse(c.source)
        except SyntaxError:
            continue
        read = _names_used(c.source)
        for node in _walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "answer_of"
                    and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value not in read):
                out.append(f"{where}: {c.grade_id} passes {node.args[0].value!r} to answer_of but never reads "
                           f"{node.args[0].value}")
    return out


def hidden_region(cell: Cell) -> list[str]:
    return region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN)


KNOWLEDGE_REF = re.compile(r"^([a-z_]+)\.yaml#([A-Za-z0-9_.-]+)$")


def _ref_parts(ref: Any) -> tuple[str, str, str | None, float] | str:
    """(file, entry id, field path or None, factor) of one knowledge reference, or a one-line problem.

    A reference is ``"prevention.yaml#dmab-ects2022"`` (the key rests on that entry) or a mapping
    ``{"entry": "risk.yaml#taskforce-osteoporosis", "field": "high_percent", "times": 100}`` (the test holds
    that field's value, times the factor, as a literal: make check compares them)."""
    spec = ref.get("entry") if isinstance(ref, dict) else ref
    m = KNOWLEDGE_REF.match(spec) if isinstance(spec, str) else None
    if not m:
        return f"{ref!r} is not 'file.yaml#entry-id' (or {{'entry': ..., 'field': ..., 'times': ...}})"
    field = ref.get("field") if isinstance(ref, dict) else None
    times = ref.get("times", 1) if isinstance(ref, dict) else 1
    if field is not None and not isinstance(field, str) or isinstance(times, bool) \
            or not isinstance(times, int | float):
        return f"{ref!r}: 'field' is a dotted name and 'times' a number"
    return m.group(1), m.group(2), field, float(times)


def _flat_values(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [v for item in value for v in _flat_values(item)]
    return [value]


def _literals(cell: Cell) -> tuple[list[float], list[str]]:
    """The numbers and texts a cell holds as literals (a code cell's constants; a markdown cell's words)."""
    if cell.cell_type == "markdown":
        nums = [float(x) for x in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])", cell.source)]
        return nums, [cell.source]
    try:
        tree = _parse(cell.source)
    except SyntaxError:
        return [], []
    nums, texts = [], []
    for n in _walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, int | float) and not isinstance(n.value, bool):
            nums.append(float(n.value))
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            texts.append(n.value)
    return nums, texts


def knowledge_problems(cells: list[Cell], where: str) -> list[str]:
    """Graded cells whose key does not say what it rests on, rests on an unknown, superseded, contested or
    unverified knowledge entry, or holds a literal that no longer matches the entry it names.

    Each graded cell (test or hand-graded) carries ``metadata["osteonecrosis"]["knowledge"]``: a list of
    references (``[]`` when its key rests on no knowledge entry, e.g. arithmetic)."""
    from osteonecrosis import knowledge

    out = []
    for c in cells:
        if c.kind not in ("test", "manual"):
            continue
        name = f"{where} {c.grade_id}"
        if c.knowledge is None:
            out.append(f"{name}: does not declare the knowledge entries its key rests on (cell metadata "
                       f"osteonecrosis.knowledge; [] when none)")
            continue
        nums, texts = _literals(c)
        for ref in c.knowledge:
            parts = _ref_parts(ref)
            if isinstance(parts, str):
                out.append(f"{name}: knowledge reference {parts}")
                continue
            file, entry_id, field, times = parts
            if file not in knowledge.FILES:
                out.append(f"{name}: knowledge reference {file}.yaml: no such knowledge file")
                continue
            try:
                entry = knowledge.find(entry_id, file)
            except knowledge.KnowledgeError:
                out.append(f"{name}: knowledge reference {file}.yaml#{entry_id}: no such entry in {file}.yaml")
                continue
            out += [f"{name} is graded as fact on {p}" for p in knowledge.answer_key_problems([entry_id])]
            if field is None:
                continue
            value: Any = entry
            for part in field.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                out.append(f"{name}: {file}.yaml#{entry_id} has no field {field!r}")
                continue
            for v in _flat_values(value):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    want = float(v) * times
                    if not any(abs(n - want) <= 1e-9 * max(1.0, abs(want)) for n in nums):
                        out.append(f"{name}: {file}.yaml#{entry_id} {field} is {v:g}"
                                   + (f" (x {times:g} = {want:g})" if times != 1 else "")
                                   + ", which the cell does not hold: update the expected value to the entry")
                elif isinstance(v, str) and not any(v == t or (c.cell_type == "markdown" and v in t) for t in texts):
                    out.append(f"{name}: {file}.yaml#{entry_id} {field} is {v!r}, which the cell does not hold: "
                               f"update the expected value to the entry")
    return out


# ---- the README's totals ---------------------------------------------------------------------------------

TABLE_ROW = re.compile(r"^\|\s*(ps\d+_[a-z0-9_]+)\s*\|[^|]*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*\**([\d.]+)\**\s*\|")
IN_ALL = re.compile(r"In all:\s*([\d.]+) autograded and ([\d.]+) hand-graded points \(([\d.]+)\)")


def totals_table_problems(text: str, totals: dict[str, tuple[float, float]], where: str) -> list[str]:
    """Rows of an 'Assignments and points' table (and its 'In all' line) that disagree with the notebooks'
    points (``totals``: assignment id -> (autograded, hand-graded))."""
    out, seen = [], set()
    for line in text.splitlines():
        m = TABLE_ROW.match(line.strip())
        if not m:
            continue
        a, auto, manual, total = m.group(1), float(m.group(2)), float(m.group(3)), float(m.group(4))
        seen.add(a)
        if a not in totals:
            out.append(f"{where}: the table lists {a}, which is not in solutions/")
            continue
        want = totals[a]
        if (auto, manual, total) != (want[0], want[1], want[0] + want[1]):
            out.append(f"{where}: {a} is listed as {auto:g} + {manual:g} = {total:g} points; its notebook carries "
                       f"{want[0]:g} + {want[1]:g} = {want[0] + want[1]:g}")
    for a in sorted(set(totals) - seen):
        out.append(f"{where}: the table has no row for {a}")
    m = IN_ALL.search(text)
    if m:
        auto = sum(t[0] for t in totals.values())
        manual = sum(t[1] for t in totals.values())
        if (float(m.group(1)), float(m.group(2)), float(m.group(3))) != (auto, manual, auto + manual):
            out.append(f"{where}: 'In all' says {m.group(1)} + {m.group(2)} = {m.group(3)}; the notebooks carry "
                       f"{auto:g} + {manual:g} = {auto + manual:g}")
    return out


# ---- nothing given away --------------------------------------------------------------------------------

TRIVIAL_NUMBERS = {0.0, 1.0, 2.0, -1.0}
FORM_CALLS = {"len", "isinstance", "type", "sorted", "set", "bool"}
TABLE_SIZE = 4


def _question_texts(cells: list[Cell]) -> dict[int, str]:
    """cell index -> the markdown a student reads for the question the cell belongs to (from its heading)."""
    out, text = {}, ""
    for c in cells:
        if c.cell_type == "markdown" and c.kind in ("plain", "locked"):
            text = c.source if QUESTION_HEADING.search(c.source) else text + "\n" + c.source
        out[c.index] = text
    return out


def _numbers_in(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?", text)
            if x.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()]


def _stated(value: Any, text: str) -> bool:
    """Whether the question's text itself shows the value (a worked example or a stated constraint)."""
    if isinstance(value, list | tuple | set):
        return all(_stated(v, text) for v in value)
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int | float):
        return float(value) in TRIVIAL_NUMBERS or any(abs(n - value) <= 1e-9 * max(1, abs(value))
                                                      for n in _numbers_in(text))
    if isinstance(value, str):
        return value in text
    return True


def _literal(node: ast.AST, consts: dict[str, Any]) -> tuple[bool, Any]:
    if isinstance(node, ast.Name) and node.id in consts:
        return True, consts[node.id]
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _value_answers(cells: list[Cell]) -> set[str]:
    from classroom.authoring.cells import top_level_bindings

    out: set[str] = set()
    for c in cells:
        if c.kind == "answer":
            out |= set(top_level_bindings(c.source)[0])
    return out


def _function_answers(cells: list[Cell]) -> set[str]:
    from classroom.authoring.cells import top_level_bindings

    return {f for c in cells if c.kind == "answer" for f in top_level_bindings(c.source)[1]}


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _leaves(item)]
    if isinstance(value, list | tuple | set):
        return [v for item in value for v in _leaves(item)]
    return [value]


def _solution_literals(cells: list[Cell]) -> list[tuple[str, Any]]:
    """(answer name, whole literal value) of each literal assignment in the solution regions."""
    out: list[tuple[str, Any]] = []
    for c in cells:
        if c.kind != "answer":
            continue
        try:
            tree = _parse("\n".join(c.region("### BEGIN SOLUTION", "### END SOLUTION")))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                ok, value = _literal(node.value, {})
                if ok:
                    out.append((node.targets[0].id, value))
    return out


def _solution_values(cells: list[Cell]) -> dict[str, list[Any]]:
    """answer name -> the literal values its solution assigns (flattened: dict values, tuple items)."""
    out: dict[str, list[Any]] = {}
    for name, value in _solution_literals(cells):
        flat = list(value.values()) if isinstance(value, dict) else [value]
        out[name] = [v for item in flat for v in _flat_values(item)]
    return out


def _tainted_names(tree: ast.Module, answers: set[str]) -> set[str]:
    tainted = set(answers)
    for node in _walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            if any(isinstance(n, ast.Name) and n.id in tainted for n in _walk(node.value)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                tainted |= {n.id for t in targets for n in _walk(t) if isinstance(n, ast.Name)}
    return tainted


def _reads(node: ast.AST, tainted: set[str]) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORM_CALLS:
        return False
    return any(isinstance(n, ast.Name) and n.id in tainted for n in _walk(node))


def _compared_literals(tree: ast.Module, tainted: set[str], consts: dict[str, Any]) -> list[tuple[str, Any]]:
    """(source, literal) of every visible check that an answer equals a literal: ``x == L``, ``x is L``,
    ``abs(x - L) <= tol``, ``math.isclose(x, L)``."""
    out = []
    for node in _walk(tree):
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for op, (a, b) in zip(node.ops, zip(sides, sides[1:], strict=False), strict=False):
                if isinstance(op, ast.Eq | ast.Is):
                    pairs += [(a, b), (b, a)]
                elif isinstance(op, ast.Lt | ast.LtE) and isinstance(a, ast.Call) and isinstance(a.func, ast.Name) \
                        and a.func.id == "abs" and a.args and isinstance(a.args[0], ast.BinOp):
                    pairs += [(a.args[0].left, a.args[0].right), (a.args[0].right, a.args[0].left)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "isclose" \
                and len(node.args) >= 2:
            pairs += [(node.args[0], node.args[1]), (node.args[1], node.args[0])]
        for answer_side, other in pairs:
            if not _reads(answer_side, tainted):
                continue
            ok, value = _literal(other, consts)
            if ok:
                out.append((ast.unparse(node)[:60], value))
    return out



def _model_answer_checks(tree: ast.Module, tainted: set[str], solutions: list[Any]) -> list[str]:
    """Visible ``answer == L`` or ``answer['key'] == L`` checks whose literal is the model answer (or that
    key's model value). Yes/no values are exempt, as elsewhere."""
    out = []
    for node in _walk(tree):
        if not isinstance(node, ast.Compare) or not any(isinstance(op, ast.Eq) for op in node.ops):
            continue
        sides = [node.left, *node.comparators]
        for a, b in zip(sides, sides[1:], strict=False):
            for answer_side, other in ((a, b), (b, a)):
                ok, value = _literal(other, {})
                if not ok or isinstance(value, bool) or not _reads(answer_side, tainted):
                    continue
                if isinstance(answer_side, ast.Name):
                    hit = any(value == s and not isinstance(s, bool) for s in solutions)
                elif isinstance(answer_side, ast.Subscript) and isinstance(answer_side.slice, ast.Constant) \
                        and isinstance(answer_side.slice.value, str):
                    key = answer_side.slice.value
                    hit = any(isinstance(s, dict) and key in s and s[key] == value for s in solutions)
                else:
                    hit = False
                if hit:
                    out.append(ast.unparse(node)[:60])
    return out


def giveaway_check_problems(cells: list[Cell], where: str) -> list[str]:
    """Visible parts of test cells that give the answer away: a check that the answer equals a literal the
    question does not show (the expected value; put it in the hidden tests and check the common wrong form
    with != instead), a message holding a hidden test's expected value or the solution's, and a literal table
    of cases (a verdict per path). Yes/no values are exempt: a visible check of a boolean shows its value."""
    answers = _value_answers(cells)
    functions = _function_answers(cells)
    solution = _solution_values(cells)
    texts = _question_texts(cells)
    out = []
    for c in cells:
        if c.kind != "test":
            continue
        name = f"{where} {c.grade_id}"
        text = texts.get(c.index, "")
        try:
            visible = _parse("\n".join(c.outside(BEGIN_HIDDEN, END_HIDDEN)))
            hidden = _parse("\n".join(hidden_region(c)))
        except SyntaxError:
            continue
        consts = {}
        for node in visible.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                ok, value = _literal(node.value, {})
                if ok:
                    consts[node.targets[0].id] = value
        tainted = _tainted_names(visible, answers)
        reported = set()
        for src, value in _compared_literals(visible, tainted, consts):
            if not _stated(value, text):
                reported.add(src)
                out.append(f"{name}: a visible check holds the expected value ({src}): move it into the hidden "
                           f"tests; check the common wrong form instead")
        # A value the question shows is a worked example or an allowed form, unless the check compares the
        # answer (or one of its entries) with the model answer itself: a question that lists every stage code
        # still must not check `stage == '2'` where everyone can read it.
        models = [value for _name, value in _solution_literals(cells)]
        for src in [s for s in _model_answer_checks(visible, tainted, models) if s not in reported]:
            out.append(f"{name}: a visible check holds the model answer ({src}): move it into the hidden tests; "
                       f"check the common wrong form instead")
        for node in _walk(visible):
            if isinstance(node, ast.Dict) and len(node.keys) >= TABLE_SIZE and (
                    all(isinstance(k, ast.Tuple) for k in node.keys)
                    or all(isinstance(v, ast.Tuple | ast.List) for v in node.values)):
                out.append(f"{name}: a visible table of {len(node.keys)} entries ({ast.unparse(node)[:40]}...): "
                           f"the verdict of each case belongs in the hidden tests")
        read = {n.id for n in _walk(visible) if isinstance(n, ast.Name)}
        secrets = [v for n in read & set(solution) for v in solution[n]]
        hidden_consts = {}
        for node in hidden.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                ok, value = _literal(node.value, consts)
                if ok:
                    hidden_consts[node.targets[0].id] = value
                    secrets += _leaves(value)
        everything = _tainted_names(visible,
                                    answers | functions)
        everything |= _tainted_names(hidden, everything)
        secrets += [v for _src, value in _compared_literals(hidden, everything, {**consts, **hidden_consts})
                    for v in _leaves(value)]
        messages = [m for node in _walk(visible) if isinstance(node, ast.Assert) and node.msg is not None
                    for m in message_texts(ast.unparse(node.msg))]
        for secret in dict.fromkeys(s for s in secrets if isinstance(s, str | int | float) and not isinstance(s, bool)):
            if _stated(secret, text):
                continue
            if isinstance(secret, str) and len(secret) >= 2:
                hit = [m for m in messages if re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", m)]
            elif isinstance(secret, int | float) and float(secret) not in TRIVIAL_NUMBERS:
                hit = [m for m in messages if any(abs(n - secret) <= 1e-9 * max(1, abs(secret))
                                                  for n in _numbers_in(m))]
            else:
                hit = []
            if hit:
                out.append(f"{name}: a visible message gives the expected value {secret!r}: {hit[0][:50]!r}")
    return out


def passing_line_problems(cells: list[Cell], where: str) -> list[str]:
    """Test cells whose visible checks do not end with ``visible_checks_passed("Qn ...")``: one convention in
    every assignment for what a student reads when the visible checks pass (that it is not the grade)."""
    out = []
    for c in cells:
        if c.kind != "test":
            continue
        try:
            visible = _parse("\n".join(c.outside(BEGIN_HIDDEN, END_HIDDEN)))
        except SyntaxError:
            continue
        last = visible.body[-1] if visible.body else None
        if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
                and isinstance(last.value.func, ast.Name) and last.value.func.id == "visible_checks_passed"):
            out.append(f"{where} {c.grade_id}: the visible checks do not end with visible_checks_passed(\"Q...\")")
    return out


# ---- the answer's form is stated in the question ----------------------------------------------------------

#: form of a model answer -> words, one of which the question must use to say it.
FORM_WORDS: dict[str, tuple[str, ...]] = {
    "dictionary": ("dictionary", "dict"),
    "list": ("list",),
    "pair": ("pair", "tuple", "(low, high)", "(earliest, latest)"),
    "true/false": ("True", "False"),
    "number": ("number", "numbers", "per cent", "unrounded", "integer", "how many"),
    "text": ("text", "string", "id", "one of", "quotes"),
    "date": ("date",),
    "function": ("function", "def "),
}


def _form(node: ast.AST) -> str | None:
    """The form of a model answer's expression, as a student would have to write it."""
    if isinstance(node, ast.Dict | ast.DictComp):
        return "dictionary"
    if isinstance(node, ast.List | ast.ListComp):
        return "list"
    if isinstance(node, ast.Tuple):
        return "pair"
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "true/false"
        if isinstance(node.value, int | float):
            return "number"
        if isinstance(node.value, str):
            return "text"
        return None
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        return "number"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "date":
        return "date"
    return None


def _keys_of(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    return []


def answer_form_problems(cells: list[Cell], where: str) -> list[str]:
    """Each autograded answer's form (a list, a dictionary and its keys, a pair, a number, True/False, text, a
    date, a function) is said in the question the student reads, not found by failing a check."""
    out: list[str] = []
    seen = ""  # what the student reads for the current question: its markdown and the code cells shown with it
    for c in cells:
        if c.cell_type == "markdown" and c.kind in ("plain", "locked") and QUESTION_HEADING.search(c.source):
            seen = ""
        if c.kind in ("plain", "locked"):
            seen += "\n" + c.source
        if c.kind != "answer" or c.cell_type != "code":
            continue
        try:
            tree = _parse("\n".join(c.region("### BEGIN SOLUTION", "### END SOLUTION")))
        except SyntaxError:
            continue
        text = seen + "\n" + "\n".join(region_lines(c.source, "### BEGIN SOLUTION", "### END SOLUTION", inside=False))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                form, keys, name = "function", [], node.name
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                form, keys, name = _form(node.value), _keys_of(node.value), node.targets[0].id
            else:
                continue
            if form and not any(word in text for word in FORM_WORDS[form]):
                out.append(f"{where} {c.grade_id}: the question does not say that `{name}` is a {form} "
                           f"(say it, e.g. {FORM_WORDS[form][0]!r}, in the question's text)")
            unstated = [k for k in keys if k not in text]
            if unstated and not (keys[0] in text and re.search(re.escape(keys[0]) + r"\W{0,3}\s*(\.\.\.|…)", text)):
                out.append(f"{where} {c.grade_id}: the question does not name the key(s) {unstated} of `{name}`")
    return out
