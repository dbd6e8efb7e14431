"""ps1's class variants: keys that obey the course's clinical rules, and the variant made by nbgrader itself.

The generic measures (20 secrets, full marks, the default's answers at most 20%, share of points varying) are in
test_variants.py; these are ps1's own properties and the nbgrader preprocessor end to end (slow tier).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import itertools
import json
import re
import sqlite3
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import assignment_checks, release, seal, variant_release, variants
from classroom.authoring.assignment_model import ASSIGNMENTS, read_cells
from classroom.authoring.cells import top_level_bindings
from classroom.authoring.variant_preprocessor import DEFAULT_ONLY_ENV, fingerprint
from classroom.authoring.variants import ps1_drugs_and_risk as ps1
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from osteonecrosis import cases, knowledge, sealed, vocabulary

PS1 = "ps1_drugs_and_risk"
DEFAULT = variant_release.source(PS1)
SEALED = re.compile(rf"'{sealed.SCHEME}:[0-9a-f]+:[0-9a-f,]+'")


def _unsealed(source: str) -> str:
    """A generated test cell with each seal written back as the name SEAL, as the solution notebook has it."""
    return SEALED.sub("SEAL", source)


def _cells(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {(c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id")): c.source for c in nb.cells}


def _solution(nb: nbformat.NotebookNode, grade_id: str) -> dict[str, object]:
    """The names a solution cell binds (its model answer), run on its own."""
    namespace: dict[str, object] = {}
    exec(_cells(nb)[grade_id], namespace)  # noqa: S102 - the course's own solution text
    return namespace


def _list_after(source: str, prefix: str) -> list[str]:
    """The list literal assigned on the line that starts with ``prefix`` (e.g. ``known = [...]``)."""
    line = next(ln for ln in source.splitlines() if ln.strip().startswith(prefix))
    return ast.literal_eval(line.split("=", 1)[1].strip())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=16, max_size=48))
def test_variant_keys_obey_the_course_rules(secret: bytes) -> None:
    """Over any secret: each key is what the catalogue and risk data say (drug classes; retained in bone
    exactly when the half-life is skeletal, drugs.yaml); Q3's cancer regimen is the frequent one of the same
    drug; Q8's figure is the Task Force baseline times a pooled estimate and lies inside Q7's range (risk.yaml);
    and every knowledge reference the variant's cells declare holds (the make check literal-vs-entry check)."""
    nb = variants.apply(copy.deepcopy(DEFAULT), variants.draw(PS1, secret))
    cat = cases.drug_catalogue()
    classes = _solution(nb, "q1_classes")["drug_classes"]
    assert classes == {d: cat[d]["class"] for d in classes} and len(classes) == 5
    four = _list_after(_cells(nb)["q2_alendronate"], "known =")
    kept = _solution(nb, "q2_retained")["retained_in_bone"]
    assert sorted(kept) == sorted(d for d in four if cat[d]["half_life"]["kind"] == "skeletal")
    regs = next(v for k, v in _solution(nb, "q3_regimens").items() if k.endswith("_regimens"))
    (op_key, op), (onc_key, onc) = regs.items()
    assert op_key == "osteoporosis" and onc["every_days"] < op["every_days"]
    assert "mg_per_year" in _cells(nb)["q5_ratio"]
    rel = _solution(nb, "q8_relative")["per_10000_after_extraction"]
    base = knowledge.find("taskforce-osteoporosis")
    points = [e["point"] for e in knowledge.load("risk")["extraction"]["estimates"]]
    assert any(abs(rel - b * 100 * p) < 1e-9 for b in (base["low_percent"], base["high_percent"]) for p in points)
    assert rel <= knowledge.find("after-extraction-osteoporosis")["high_percent"] * 100
    cells = _read(nb)
    assert assignment_checks.knowledge_problems(cells, "ps1 variant") == []
    assert assignment_checks.giveaway_check_problems(cells, "ps1 variant") == []


def _read(nb: nbformat.NotebookNode) -> list:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{PS1}.ipynb"
        nbformat.write(nb, str(path))
        return read_cells(path)


def _q4_cases(nb: nbformat.NotebookNode) -> tuple[list[tuple[float, float]], list[float], bool]:
    """Q4's graded inputs (visible, beside the sealed check), the yearly mg its hidden test expects of each,
    and whether the variant counts the interval in weeks."""
    src = _cells(nb)["q4_tests"]
    return (_list_after(src, "graded_inputs ="), _list_after(src, "wants ="),
            "every_weeks" in _cells(nb)["q4_function"])


def test_q4_hidden_cases_are_computed_from_catalogue_regimens() -> None:
    """Each graded case of Q4 is a catalogue regimen (dose, interval in the variant's unit) with its yearly mg,
    and none is one of Q3's two regimens: the inputs are visible beside the sealed check, and Q3's dose and
    interval would be read there (the worked example of the question text neither)."""
    regs = ps1.regimens()
    for i in range(20):
        nb = variants.apply(copy.deepcopy(DEFAULT), variants.draw(PS1, f"q4-secret-{i}-0123456789".encode()))
        inputs, wants, weeks = _q4_cases(nb)
        q3 = next(v for k, v in _solution(nb, "q3_regimens").items() if k.endswith("_regimens"))
        q3_pairs = {(r["dose_mg"], r["every_days"]) for r in q3.values()}
        assert len(inputs) == len(wants) == ps1.HIDDEN_CASES + 1
        for (dose, every), want in zip(inputs, wants, strict=True):
            days = every * 7 if weeks else every
            assert abs(want - dose * 365 / days) < 1e-9
            assert every == 0.5 or any(r["dose_mg"] == dose and abs(r["every_days"] - days) < 1e-9
                                       for r in regs.values())
            assert not any(d == dose and abs(e - days) < 1e-9 for d, e in q3_pairs)
        example = _cells(nb)["cell-21"].split("Worked example:")[1].split(" is 365")[0]
        assert not any(f"{d} mg every {e} days" in example or f"{d} mg every {e / 7:g} weeks" in example
                       for d, e in q3_pairs)


def test_the_default_has_romosozumab_caught_now() -> None:
    """Issue 19: listing romosozumab as retained in bone fails Q2's visible check, which names no other answer."""
    visible = _cells(DEFAULT)["q2_romosozumab"]
    assert '"romosozumab" not in given' in visible and "BEGIN HIDDEN" not in visible
    ns: dict[str, object] = {"retained_in_bone": ["alendronate", "zoledronate", "romosozumab"]}
    with pytest.raises(AssertionError, match="Q2 romosozumab"):
        exec("from osteonecrosis.exercises import answer_of\n" + visible, ns)  # noqa: S102


def test_release_says_in_one_line_that_it_is_the_default(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(variants.SECRET_ENV, str(tmp_path / "none"))
    line = release.secret_line()
    assert "no course secret" in line and "default variant" in line and "\n" not in line
    (tmp_path / "secret").write_text("x" * 40)
    monkeypatch.setenv(variants.SECRET_ENV, str(tmp_path / "secret"))
    line = release.secret_line()
    assert "default variant" in line and "classroom variant" in line and "\n" not in line


def test_variant_verb_refuses_a_folder_in_git_and_no_secret(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "secret").write_text("y" * 40)
    monkeypatch.setenv(variants.SECRET_ENV, str(tmp_path / "secret"))
    assert variant_release.main([PS1, "--out", str(release.ROOT / "class-copy")]) == 1
    err = capsys.readouterr().err
    assert "inside the git work tree" in err and len(err.strip().splitlines()) == 1
    assert not (release.ROOT / "class-copy").exists()
    monkeypatch.setenv(variants.SECRET_ENV, str(tmp_path / "absent"))
    assert variant_release.main([PS1, "--out", str(tmp_path / "class")]) == 2
    assert "no course secret" in capsys.readouterr().err


def _generate(course: Path, env: dict[str, str]) -> tuple[nbformat.NotebookNode, str, str]:
    proc = release.nbgrader(["generate_assignment", PS1, "--force"], cwd=course, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nb = nbformat.read(str(course / "assignments" / PS1 / f"{PS1}.ipynb"), as_version=4)
    with sqlite3.connect(course / "gradebook.db") as db:
        q8 = db.execute("select source from source_cell where name = 'q8_tests'").fetchone()[0]
    return nb, q8, proc.stdout + proc.stderr


@pytest.mark.slow
@pytest.mark.nbgrader
def test_generate_assignment_applies_the_class_variant(tmp_path: Path) -> None:
    """A real `nbgrader generate_assignment` in a course outside git: with a secret the release shows the
    variant's cases and the gradebook holds its hidden tests; without, the default and one line saying so."""
    secret_file = tmp_path / "private" / "course-secret"
    secret_file.parent.mkdir()
    secret_file.write_text("a-long-random-class-secret-for-the-test\n")
    course = release.make_course(tmp_path / "course", [PS1])
    env = release.tool_env()
    env.pop(DEFAULT_ONLY_ENV, None)
    env[variants.SECRET_ENV] = str(secret_file)
    nb, q8, log = _generate(course, env)
    secret = variants.read_secret(secret_file)
    want = variant_release.variant(PS1, secret)
    assert nb.metadata["osteonecrosis"]["variant"] == fingerprint(secret, PS1)
    assert _cells(nb)["cell-34"] == _cells(want)["cell-34"] != _cells(DEFAULT)["cell-34"]
    assert _unsealed(q8) == _cells(want)["q8_tests"] != _cells(DEFAULT)["q8_tests"]
    assert q8 != _cells(want)["q8_tests"]  # the gradebook's test holds the variant's seal
    assert "BEGIN HIDDEN" not in json.dumps(nb.cells) and "### BEGIN SOLUTION" not in json.dumps(nb.cells)
    assert sum("variant:" in ln for ln in log.splitlines()) == 1

    env[variants.SECRET_ENV] = str(tmp_path / "no-secret-here")
    nb, q8, log = _generate(course, env)
    committed = nbformat.read(str(ASSIGNMENTS / PS1 / f"{PS1}.ipynb"), as_version=4)
    assert [c.source for c in nb.cells] == [c.source for c in committed.cells]
    assert _unsealed(q8) == _cells(DEFAULT)["q8_tests"]
    said = [ln for ln in log.splitlines() if "variant:" in ln]
    assert len(said) == 1 and "no course secret" in said[0]


@pytest.mark.slow
@pytest.mark.nbgrader
def test_class_folder_is_built_outside_git(tmp_path: Path, monkeypatch) -> None:
    """`classroom variant ps1 --out DIR`: the variant's solution (model answers), student version and gradebook."""
    (tmp_path / "secret").write_text("another-long-class-secret-0123456789")
    monkeypatch.setenv(variants.SECRET_ENV, str(tmp_path / "secret"))
    out = tmp_path / "class"
    assert variant_release.main([PS1, "--out", str(out)]) == 0
    secret = variants.read_secret()
    want = variant_release.variant(PS1, secret)
    sol = nbformat.read(str(out / "solutions" / PS1 / f"{PS1}.ipynb"), as_version=4)
    assert _cells(sol) == _cells(want)
    student = nbformat.read(str(out / "assignments" / PS1 / f"{PS1}.ipynb"), as_version=4)
    assert _cells(student)["cell-04"] == _cells(want)["cell-04"]
    with sqlite3.connect(out / "gradebook.db") as db:
        q1 = db.execute("select source from source_cell where name = 'q1_alendronate'").fetchone()[0]
    assert _unsealed(q1) == _cells(want)["q1_alendronate"]


GUIDE = release.ROOT / "docs" / "variants.md"


def guide_commands() -> list[str]:
    """The commands of the instructor guide on variants (the ``$`` lines of its console blocks), in order."""
    out, inside = [], False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```console"
            continue
        if inside and line.startswith("$ "):
            out.append(line[2:])
    return out


@pytest.mark.slow
@pytest.mark.nbgrader
def test_the_instructor_guide_with_a_secret(tmp_path: Path) -> None:
    """docs/variants.md, command by command, as an instructor whose home is a fresh folder: the secret is
    written outside git, make check's variant check passes, and the class's folder holds the variant."""
    import os
    import subprocess
    import sys

    commands = guide_commands()
    assert any("course-secret" in c for c in commands) and any("variant ps1 --out" in c for c in commands)
    env = {**os.environ, "HOME": str(tmp_path), "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                                          os.environ.get("PATH", "")])}
    for name in (variants.SECRET_ENV, DEFAULT_ONLY_ENV, "MRONJ_COURSE_ROOT"):
        env.pop(name, None)
    outputs = []
    for command in commands:
        proc = subprocess.run(["bash", "-c", command], cwd=release.ROOT, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, f"{command}: {proc.stdout[-500:]} {proc.stderr[-500:]}"
        outputs.append(proc.stdout)
    secret_file = tmp_path / "mronj-private" / "course-secret"
    assert (secret_file.stat().st_mode & 0o777) == 0o600
    secret = variants.read_secret(secret_file)
    assert any("(class variant)" in o and o.rstrip().endswith("integrity: all checks passed") for o in outputs)
    student = nbformat.read(str(tmp_path / "mronj-class" / "assignments" / PS1 / f"{PS1}.ipynb"), as_version=4)
    assert student.metadata["osteonecrosis"]["variant"] == fingerprint(secret, PS1)
    assert _cells(student)["cell-34"] == _cells(variant_release.variant(PS1, secret))["cell-34"]


# ---- sealed checks: Validate passes exactly when the hidden tests do -------------------------------------

#: relative changes of a number: inside and outside the 6 significant digits both rules compare
EPS = (0.0, 1e-15, 1e-12, 1e-9, -1e-9, 1e-7, -1e-7, 4e-7, -4e-7, 6e-7, -6e-7, 1e-6, 5e-6, -5e-6, 1e-4, 1e-2, -0.5)


def _numbers_near(x: float) -> list[float]:
    """Numbers a student could give for ``x``: exact, within floating-point noise, rounded to 0-5 decimals,
    off in the 6th or 7th significant digit, plainly wrong."""
    out = [x * (1 + e) for e in EPS] + [round(x, k) for k in range(6)] + [float(x), x + 1, x * 10]
    if x == int(x):
        out += [int(x), int(x) + 1, x + 1e-4]
    if x == 0:
        out += [-0.0, 1e-9, 1e-4, 0.05]
    return out


def _candidates(value: object, known: list[str]) -> list[object]:
    """Answers one change away from the model ``value``: one number, class id or list member at a time, and
    for a function, its results changed the same ways."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int | float):
        return _numbers_near(value)
    if isinstance(value, str):
        return [c for c in vocabulary.DRUG_CLASSES if c != value]
    if isinstance(value, dict):
        return [{**value, k: v} for k, leaf in value.items() for v in _candidates(leaf, known)]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        pool = sorted(set(value) | set(known))
        return [[d for d, keep in zip(pool, mask, strict=True) if keep]
                for mask in itertools.product((False, True), repeat=len(pool))]
    if isinstance(value, tuple):
        return [(*value[:i], v, *value[i + 1:]) for i, leaf in enumerate(value) for v in _candidates(leaf, known)]
    if callable(value):
        return ([lambda *a, f=value, e=e: f(*a) * (1 + e) for e in EPS]
                + [lambda *a, f=value, k=k: round(f(*a), k) for k in range(6)]
                + [lambda *a, f=value: f(*a) + 1e-9, lambda *a, f=value: float(int(f(*a)))])
    raise AssertionError(f"no candidates for a {type(value).__name__}")


def _passes(source: str, namespace: dict) -> bool:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<test cell>", "exec"), dict(namespace))  # noqa: S102 - the course's own cells
    except Exception:  # noqa: BLE001 - any failure fails the cell, at Validate as at grading
        return False
    return True


def _sealed_disagreements(nb: nbformat.NotebookNode) -> tuple[list[str], int]:
    """Run the notebook's model answers in this process as the release does (recording what each sealed check
    receives), seal the records, then for every candidate answer near each model answer compare, per test
    cell, the student's view (visible checks + the seal) with the instructor's (visible checks + hidden tests,
    no seal). Returns the disagreements and the number of comparisons."""
    sealed._records.clear()
    sealed._alternatives.clear()
    run = seal.recording_copy(nb, seal.sealed_cells(nb))
    ns: dict = {"__name__": "__main__"}
    for cell in run.cells[:-1]:
        if cell.cell_type == "code":
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, "<cell>", "exec"), ns)  # noqa: S102 - the course's own cells
    data = json.loads(sealed.recorded())
    seals = {m: sealed.make_seal(sorted(set(t)) + data["alternatives"].get(m, []), "test")
             for m, t in data["records"].items()}
    tests = [c for c in nb.cells if seal.is_test_cell(c) and seal.placeholders(c.source)]
    student = {}
    for c in tests:
        visible = c.source.split("### BEGIN HIDDEN TESTS")[0]
        student[seal.grade_id(c)] = seal.substitute(visible, [seals[seal.marker(seal.grade_id(c), k)]
                                                               for k in seal.slots(visible)])
    out, compared = [], 0
    for cell in nb.cells:
        info = cell.metadata.get("nbgrader") or {}
        if not (cell.cell_type == "code" and info.get("solution")):
            continue
        question = info["grade_id"].split("_")[0] + "_"
        mine = [c for c in tests if seal.grade_id(c).startswith(question)]
        if not mine:
            continue
        names, funcs = top_level_bindings(cell.source)
        (name,) = names + funcs
        known = next((_list_after(c.source, "known =") for c in mine if "known =" in c.source), [])
        for candidate in [ns[name], *_candidates(ns[name], known)]:
            answer = {**ns, name: candidate}
            for c in mine:
                gid = seal.grade_id(c)
                hidden_ok, validate_ok = _passes(c.source, answer), _passes(student[gid], answer)
                compared += 1
                if candidate is ns[name]:
                    assert hidden_ok and validate_ok, f"{gid}: the model answer fails"
                if hidden_ok != validate_ok:
                    shown = candidate if not callable(candidate) else [candidate(*a) for a in _q_inputs(c)]
                    out.append(f"{gid}: {shown!r}: hidden tests {'pass' if hidden_ok else 'fail'}, "
                               f"Validate {'passes' if validate_ok else 'fails'}")
    return out, compared


def _q_inputs(cell: nbformat.NotebookNode) -> list[tuple]:
    for prefix in ("graded_inputs =", "graded_percents ="):
        if prefix in cell.source:
            values = _list_after(cell.source, prefix)
            return [v if isinstance(v, tuple) else (v,) for v in values]
    return []


@pytest.mark.parametrize("secret", [None, b"seal-secret-one-0123456789", b"seal-secret-two-0123456789"])
def test_validate_passes_exactly_when_the_hidden_tests_do(secret: bytes | None, monkeypatch) -> None:
    """Issue 19: for every answer one change away from the model answer (a wrong class, a list one id short or
    too long, a number off in its 6th or 7th significant digit, rounded, or within floating-point noise; a
    function whose results are), each test cell's sealed check accepts exactly when its hidden tests pass, on
    the default and on class variants. (The hash's work factor is lowered here: it changes no comparison.)"""
    monkeypatch.setattr(sealed, "ITERATIONS", 1)
    nb = copy.deepcopy(DEFAULT) if secret is None else variants.apply(copy.deepcopy(DEFAULT),
                                                                      variants.draw(PS1, secret))
    wrong, compared = _sealed_disagreements(nb)
    assert compared > 300
    assert wrong == [], "\n".join(wrong[:20])
