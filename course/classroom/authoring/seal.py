"""Write the seals of the sealed checks into a notebook being generated (an nbgrader step).

A test cell of a solution notebook says ``sealed_check(value, SEAL, message)`` (osteonecrosis.sealed). When
``nbgrader generate_assignment`` runs (``make release``, formgrader's Generate button, ``classroom variant``),
:class:`SealChecks` runs right after the class's variant is applied and before nbgrader's own steps:

1. it executes a copy of the notebook (model answers, visible checks and hidden tests) once in a kernel, each
   ``SEAL`` replaced by a recording marker, so each sealed check records the canonical text of the value the model
   answer gives it, and ``also_accept`` in the hidden part records the other answers the hidden tests accept;
2. it replaces each ``SEAL`` of the notebook by its seal, a salted slow hash of those texts, before nbgrader
   computes checksums and saves the test cells to the gradebook.

So the student's Validate fails exactly when a graded value differs from the key, for every class variant, and
the student version never holds the key. A model answer that never reaches its sealed check, or gives it two
different values, stops the release with one line. Results are cached by content (the notebook's code and the
course package), so a second release of the same sources does not execute anything.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import os
import re
import tokenize
from pathlib import Path
from typing import Any

import nbformat
import osteonecrosis
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from osteonecrosis import sealed

TOKEN = "SEAL"
CALL = "sealed_check"
CACHE_ENV = "MRONJ_SEAL_CACHE"
_RECORDER = "import osteonecrosis.sealed as _sealed_recorder\nprint(_sealed_recorder.recorded())"


class SealError(RuntimeError):
    """A seal could not be computed; the message is one line naming the cell."""


def grade_id(cell: NotebookNode) -> str:
    return str((cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") or "")


def is_test_cell(cell: NotebookNode) -> bool:
    info = cell.get("metadata", {}).get("nbgrader") or {}
    return cell.cell_type == "code" and bool(info.get("grade")) and not info.get("solution")


def placeholders(source: str) -> list[tuple[int, int]]:
    """(line, column) of each ``SEAL`` name in the code, outside import statements (0-based lines)."""
    return list(_placeholders(source))


@functools.lru_cache(maxsize=2048)
def _placeholders(source: str) -> tuple[tuple[int, int], ...]:
    """Tokenizing is most of the cost, and the authoring checks ask about the same test cells again and again."""
    out: list[tuple[int, int]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return ()
    statement_start = True
    in_import = False
    for tok in tokens:
        if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            statement_start, in_import = True, False
            continue
        if tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            continue
        if statement_start:
            in_import = tok.type == tokenize.NAME and tok.string in ("import", "from")
            statement_start = False
        if tok.type == tokenize.NAME and tok.string == TOKEN and not in_import:
            out.append((tok.start[0] - 1, tok.start[1]))
    return tuple(out)


def substitute(source: str, values: list[str]) -> str:
    """``source`` with the k-th ``SEAL`` replaced by the Python literal of ``values[k]``."""
    spots = placeholders(source)
    if len(spots) != len(values):
        raise SealError(f"{len(spots)} SEAL placeholders but {len(values)} seals")
    lines = source.split("\n")
    for (row, col), value in sorted(zip(spots, values, strict=True), reverse=True):
        line = lines[row]
        lines[row] = line[:col] + repr(value) + line[col + len(TOKEN):]
    return "\n".join(lines)


def marker(gid: str, k: int) -> str:
    return f"{sealed.RECORD}{gid}:{k}"


def _hidden_rows(source: str) -> set[int]:
    rows, inside = set(), False
    for i, line in enumerate(source.split("\n")):
        if "BEGIN HIDDEN TESTS" in line:
            inside = True
        elif "END HIDDEN TESTS" in line:
            inside = False
        elif inside:
            rows.add(i)
    return rows


def slots(source: str) -> list[int]:
    """For each SEAL placeholder of a test cell, the sealed check it stands for: the visible ones are numbered
    in order (0, 1, ...); one in the hidden region (``also_accept(SEAL, ...)``) stands for the cell's only
    sealed check. SealError when a cell with several sealed checks names SEAL in its hidden tests."""
    hidden = _hidden_rows(source)
    spots = placeholders(source)
    visible = [row for row, _ in spots if row not in hidden]
    if len(visible) > 1 and len(visible) < len(spots):
        raise SealError("also_accept(SEAL, ...) in a cell with several sealed checks: give each its own cell")
    out, k = [], 0
    for row, _ in spots:
        if row in hidden:
            out.append(0)
        else:
            out.append(k)
            k += 1
    return out


def sealed_cells(nb: NotebookNode) -> dict[str, int]:
    """grade id -> number of sealed checks (visible SEAL placeholders), for the test cells that have any."""
    out = {}
    for c in nb.cells:
        if is_test_cell(c) and placeholders(c.source):
            try:
                checks = slots(c.source)
            except SealError as exc:
                raise SealError(f"{grade_id(c)}: {exc}") from None
            out[grade_id(c)] = max(checks) + 1
    return out


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """A hash of the course package's files (code and knowledge data): a seal depends on what they compute."""
    root = Path(osteonecrosis.__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _cache_dir() -> Path | None:
    if os.environ.get(CACHE_ENV) == "off":
        return None
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mronj-course" / "seals"


def _cache_key(run: NotebookNode) -> str:
    h = hashlib.sha256(f"{sealed.SCHEME}:{sealed.ITERATIONS}:{sealed.SIGNIFICANT}".encode())
    for cell in run.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode("utf-8"))
            h.update(b"\0")
    h.update(package_fingerprint().encode())
    return h.hexdigest()


def _read_cache(key: str) -> dict[str, str] | None:
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()) else None


def _write_cache(key: str, seals: dict[str, str]) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(seals), encoding="utf-8")
        tmp.replace(folder / f"{key}.json")
    except OSError:
        pass


def _first_error(cell: NotebookNode) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue', '')}".splitlines()[0][:200]
    return ""


def _execute(run: NotebookNode, cwd: Path, timeout: int) -> NotebookNode:
    from classroom.grading.notebook_client import SlicedWaitClient

    client = SlicedWaitClient(run, timeout=timeout, kernel_name="python3", allow_errors=True,
                              resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return run


def recording_copy(nb: NotebookNode, counts: dict[str, int]) -> NotebookNode:
    """A copy of ``nb`` whose SEAL placeholders are recording markers, with a last cell printing the records."""
    run = copy.deepcopy(nb)
    for cell in run.cells:
        gid = grade_id(cell)
        if is_test_cell(cell) and gid in counts:
            cell.source = substitute(cell.source, [marker(gid, k) for k in slots(cell.source)])
        if cell.cell_type == "code":
            cell.outputs = []
    run.cells.append(nbformat.v4.new_code_cell(_RECORDER))
    return run


def _salt(gid: str, k: int, source: str) -> str:
    return hashlib.sha256(f"{gid}:{k}:{source}".encode()).hexdigest()[:16]


def compute_seals(nb: NotebookNode, cwd: Path, where: str = "the notebook", timeout: int = 300) -> dict[str, str]:
    """marker -> seal for every SEAL placeholder of ``nb`` (executes the model answers once, or reads the
    cache); SealError naming the cell when a model answer cannot be sealed."""
    counts = sealed_cells(nb)
    if not counts:
        return {}
    run = recording_copy(nb, counts)
    key = _cache_key(run)
    cached = _read_cache(key)
    if cached is not None and set(cached) == {marker(g, k) for g, n in counts.items() for k in range(n)}:
        return cached
    _execute(run, cwd, timeout)
    last = run.cells[-1]
    text = "".join(o.get("text", "") for o in last.get("outputs", []) if o.get("output_type") == "stream")
    try:
        data = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SealError(f"{where}: the model answers could not be run to compute the seals "
                        f"({_first_error(last) or 'no record printed'})") from None
    records, alternatives = data.get("records", {}), data.get("alternatives", {})
    sources = {grade_id(c): c.source for c in nb.cells if is_test_cell(c)}
    errors = {grade_id(c): _first_error(c) for c in run.cells if is_test_cell(c)}
    seals: dict[str, str] = {}
    for gid, n in counts.items():
        for k in range(n):
            m = marker(gid, k)
            texts = sorted(set(records.get(m, [])))
            if not texts:
                why = errors.get(gid) or "the check was never reached"
                raise SealError(f"{where}: {gid}: the model answer never reached sealed check {k + 1} ({why})")
            if len(texts) > 1:
                raise SealError(f"{where}: {gid}: sealed check {k + 1} was given {len(texts)} different values "
                                f"(a check inside a loop?): seal one value, such as the list of results")
            seals[m] = sealed.make_seal(texts + list(alternatives.get(m, [])), _salt(gid, k, sources[gid]))
    _write_cache(key, seals)
    return seals


def seal_notebook(nb: NotebookNode, cwd: Path, where: str = "the notebook") -> int:
    """Replace every SEAL placeholder of ``nb``'s test cells by its seal, in place; the number of seals."""
    seals = compute_seals(nb, cwd, where)
    for cell in nb.cells:
        gid = grade_id(cell)
        if is_test_cell(cell) and placeholders(cell.source):
            cell.source = substitute(cell.source, [seals[marker(gid, k)] for k in slots(cell.source)])
    return len(seals)


def unsealed_problems(nb: NotebookNode) -> list[str]:
    """Test cells whose hidden tests have no sealed check in the visible part (Validate could pass a wrong
    answer there), and sealed checks that are not given SEAL."""
    out = []
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        hidden = "### BEGIN HIDDEN TESTS" in cell.source
        if hidden and not placeholders(visible):
            out.append(f"{grade_id(cell)}: hidden tests but no sealed_check(value, SEAL, message) before them: "
                       f"a wrong answer could pass Validate (docs/authoring.md, 'Sealed checks')")
        calls = len(re.findall(rf"\b{CALL}\(", visible))
        if calls != len(placeholders(visible)):
            out.append(f"{grade_id(cell)}: {calls} sealed_check call(s) but {len(placeholders(visible))} SEAL "
                       f"placeholder(s): give each sealed_check the name SEAL as its second argument")
    return out


class SealChecks(NbGraderPreprocessor):
    """Write the seals into the notebook being generated (see the module docstring)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        info = resources.get("nbgrader", {})
        where = f"{info.get('assignment', '')}/{info.get('notebook', '')}.ipynb"
        cwd = Path(resources.get("metadata", {}).get("path") or ".")
        n = seal_notebook(nb, cwd, where)
        if n:
            self.log.info("seal: %s: %d sealed checks", where, n)
        return nb, resources


def after_variant(steps: Any) -> list[type]:
    """``steps`` (generate_assignment's preprocessors) with SealChecks right after the variant step (or first)."""
    if not isinstance(steps, list):
        from nbgrader.converters.generate_assignment import GenerateAssignment

        steps = list(GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default())
    steps = [s for s in steps if s is not SealChecks]
    at = next((i + 1 for i, s in enumerate(steps) if s.__name__ == "ApplyVariant"), 0)
    return [*steps[:at], SealChecks, *steps[at:]]
