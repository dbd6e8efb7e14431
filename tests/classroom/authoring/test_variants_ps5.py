"""Problem set 5's per-class variants (issue 22), on 20 random course secrets, in process.

Each variant is the solution notebook with the draw's swaps applied (classroom.authoring.variants.ps5_capstone),
run cell by cell in one namespace (``variants.score``). The two explore widgets are left out of the runs: they are
ungraded, define nothing a test reads, and cost most of a run.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import itertools
import math
import os
import random
import statistics
from functools import cache
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import seal as seal_step
from classroom.authoring import variants, wrong_submissions
from classroom.authoring.assignment_model import BEGIN_HIDDEN, END_HIDDEN, read_cells
from classroom.authoring.integrity import source_problems, trust_problems
from classroom.authoring.variants import ps5_capstone as ps5
from osteonecrosis import case_from_dict, exercises, knowledge, sealed
from osteonecrosis.models import cohort
from osteonecrosis.models import virtual_patient as vp
from osteonecrosis.staging import stage, stage_order

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "ps5_capstone" / "ps5_capstone.ipynb"
AID = "ps5_capstone"
SECRETS = [random.Random(2205 + i).randbytes(32) for i in range(20)]


def _gid(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id")


@cache
def default() -> nbformat.NotebookNode:
    return nbformat.read(str(SOLUTION), as_version=4)


def _runnable(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    out = copy.deepcopy(nb)
    dropped = [c for c in out.cells if "osteo_widgets." in c.source]
    assert len(dropped) == 2 and not any(c.metadata.get("nbgrader") for c in dropped)
    out.cells = [c for c in out.cells if "osteo_widgets." not in c.source]
    return out


@cache
def variant(i: int) -> nbformat.NotebookNode:
    return variants.apply(copy.deepcopy(default()), variants.draw(AID, SECRETS[i]), where=f"{AID} variant {i}")


def score(nb: nbformat.NotebookNode) -> dict[str, tuple[float, float]]:
    return variants.score(_runnable(nb), SOLUTION.parent)


def drawn(i: int):
    """The draw of secret ``i`` step by step (the same rng calls in the same order as ps5.draw)."""
    rng = random.Random(variants.seed_for(SECRETS[i], AID))
    patients = ps5.draw_patients(rng)
    label = rng.choice([k + 1 for k, p in enumerate(patients) if p.kind.stage in ("1", "3")])
    menu, seeds, plan = ps5.draw_menu(patients[label - 1].kind.stage, rng)
    c = ps5.draw_cohorts(rng)
    examples = ps5.draw_examples(rng, c.per)
    inputs = ps5.draw_inputs(rng)
    story = ps5.draw_story(rng)
    return patients, label, menu, seeds, plan, c, examples, inputs, story


def cell(nb: nbformat.NotebookNode, name: str) -> str:
    return next(c.source for c in nb.cells if _gid(c) == name)


def hidden(source: str) -> str:
    return source.split(BEGIN_HIDDEN, 1)[1].split(END_HIDDEN, 1)[0]


def test_draw_is_stable_and_differs_between_secrets() -> None:
    assert variants.draw(AID, SECRETS[0]) == variants.draw(AID, SECRETS[0])
    assert variants.draw(AID, SECRETS[0]) != variants.draw(AID, SECRETS[1])
    assert variants.draw(AID, None) == []
    assert drawn(3) == drawn(3)
    assert variants.draw(AID, SECRETS[3]) == ps5.build(*drawn(3))


@pytest.mark.parametrize("i", range(20))
def test_solution_full_marks_and_default_answers_at_most_20_percent(i: int) -> None:
    nb = variant(i)
    own = score(nb)
    assert own and all(earned == possible for earned, possible in own.values()), own
    crossed = score(variants.with_answers_of(default(), nb))
    assert variants.share_earned(crossed) <= 0.2 + 1e-9, crossed
    # what the default's answers still earn is Question 3, which does not vary (its lesson has one answer)
    assert {g for g, (e, _) in crossed.items() if e} <= set(ps5.FIXED)


@pytest.mark.parametrize("i", range(20))
def test_keys_are_what_the_engine_computes(i: int) -> None:
    patients, label, menu, seeds, plan, c, examples, inputs, story = drawn(i)
    nb = variant(i)
    # Question 1: contract cases, staged by the engine; each teaches its kind and none has the default's stage
    for k, (p, name, d) in enumerate(zip(patients, ps5.Q1_CELLS, ps5.DEFAULT_Q1, strict=True), start=1):
        result = stage(case_from_dict(p.case))
        assert result.stage == p.kind.stage != d[0]
        assert f"stage_{k} == {result.stage!r}" in hidden(cell(nb, name))
        assert f'"Patient {k}": "{result.stage}"' in cell(nb, "ps5_q1_answer")
        assert p.vignette in cell(nb, "cell-03")
        if p.kind.name == "short":
            assert result.suspected and result.re_evaluate_after_weeks is not None
        if p.kind.name == "radiotherapy":
            assert "radiotherapy" in " ".join(result.exclusions)
        if p.kind.name == "feature3":  # a stage-3 feature decides, whatever the symptoms
            assert any("stage-3 feature" in r for r in result.reasons)
        for key in ("pain", "infection"):  # adding a symptom never lowers the stage
            more = copy.deepcopy(p.case)
            more["findings"][key] = True
            assert stage_order(stage(case_from_dict(more)).stage) >= stage_order(result.stage)
    # Question 2: guideline rows of the patient's stage; every seed claim is one by the knowledge base
    q2_stage = patients[label - 1].kind.stage
    rows = {e["id"] for e in knowledge.load("management")["aaoms2022_management"]["stages"][q2_stage]}
    assert set(plan) <= rows and set(plan) <= set(menu)
    assert seeds == sorted(m for m in menu if knowledge.find(m, "management")["evidence"] == "seed_claim")
    assert repr(seeds) in hidden(cell(nb, "ps5_q2_no_seed_claims"))
    # Question 5: the cases of the seeded run; Question 7: the engine's patients to reach, unit-free
    run = cohort.simulate(*c.oncology, n=c.n, seed=c.seed)
    assert f"== ({run.without.cases}, {run.bundle.cases})" in hidden(cell(nb, "ps5_q5_cases"))
    for name, which in (("ps5_q7_oncology", c.oncology), ("ps5_q7_osteoporosis", c.osteoporosis)):
        r = cohort.simulate(*which, n=c.n, seed=c.seed)
        want = 1000 / (r.without.expected_per_1000 - r.bundle.expected_per_1000)
        assert f"_reference = {want!r}" in hidden(cell(nb, name))
    # Question 6: the unit of the function and its examples
    assert f"return {c.per} / prevented" in cell(nb, "ps5_q6_answer")
    # Question 3: the story tree is the engine's, played from the variant's own locked cell
    namespace: dict = {}
    setup = cell(nb, "ps5_setup") + "\n" + cell(nb, "ps5_vp_menu").split("\npatient = ")[0]
    exec(compile(setup, "<ps5 setup>", "exec"), namespace)  # noqa: S102 - the instructor's own cells
    case, seed = namespace["VP_CASE"], namespace["VP_SEED"]
    table = {}
    for prefix_text in ps5.story_table(story):
        patient, verdict = vp.from_case(case, seed=seed), None
        for d in prefix_text:
            verdict = patient.decide(d).advice.verdict
        table[prefix_text] = (patient.available_actions(), verdict)
    assert f"_story = {table!r}" in hidden(cell(nb, "ps5_q3_in_line"))
    needs = vp.from_case(case, seed=seed).need
    assert {"none": "none", "found": "hidden", "known": "known"}[story.scenario] == needs
    assert ("extract_before_therapy" in ps5.model_decisions(story)) == (needs != "none")
    # Question 8: the teaching assumptions are the inputs whose evidence is a teaching rule
    want8 = sorted(x for x in inputs if knowledge.find(x, "simulation")["evidence"] == "teaching_rule")
    assert repr(want8) in hidden(cell(nb, "ps5_q8_complete")) and 3 <= len(want8) <= 4


# The first 5 secrets in the fast tier, the other 15 in the slow tier (make check's checks cost about a second).
EVERY_SECRET = [*range(5), *(pytest.param(i, marks=pytest.mark.slow) for i in range(5, 20))]


@pytest.mark.parametrize("i", EVERY_SECRET)
def test_variant_passes_the_assignment_checks(i: int, tmp_path: Path) -> None:
    path = tmp_path / f"{AID}.ipynb"
    nbformat.write(variant(i), str(path))
    cells = read_cells(path)
    assert source_problems(AID, cells, path.name) == []
    assert trust_problems(AID, cells, path, assignments=tmp_path) == []


def test_no_visible_check_holds_an_expected_value() -> None:
    """The visible part of every test cell of every variant holds none of the hidden tests' expected literals."""
    for i in range(20):
        for c in variant(i).cells:
            meta = c.metadata.get("nbgrader", {})
            if not (meta.get("grade") and not meta.get("solution")) or BEGIN_HIDDEN not in c.source:
                continue
            secret = hidden(c.source)
            visible = c.source.replace(secret, "")
            for node in ast.walk(ast.parse(secret)):
                if isinstance(node, ast.Compare) and isinstance(node.comparators[0], ast.Constant | ast.Tuple):
                    literal = ast.unparse(node.comparators[0])
                    if literal not in ("math.inf",) and len(literal) > 3:
                        assert literal not in visible, (i, meta["grade_id"], literal)


def _differing_share(a: int, b: int) -> float:
    """Share of autograded points where secret a's model answers fail secret b's tests (different expected
    answers, measured the strict way: by grading one class's answers in the other's variant)."""
    return 1 - variants.share_earned(score(variants.with_answers_of(variant(a), variant(b))))


def test_two_secrets_differ_on_the_points_that_vary() -> None:
    shares = [_differing_share(a, (a + 1) % 20) for a in range(20)]
    # Question 3 (3 of 15 points) never varies; stage codes, units and drug pairs have few values, so two classes
    # can draw the same answer for some cells. Measured over all 380 ordered pairs: mean 0.59, minimum 0.27.
    assert statistics.mean(shares) >= 0.5
    assert min(shares) > 0.2


@pytest.mark.parametrize("i", EVERY_SECRET)
def test_each_wrong_submission_still_loses_points(i: int) -> None:
    nb = variant(i)
    full = sum(p for _, p in score(nb).values())
    for mistake in wrong_submissions.load(AID):
        got = score(wrong_submissions.apply(nb, mistake))
        assert sum(e for e, _ in got.values()) < full, (i, mistake.name)


@pytest.mark.slow
def test_all_pairs_of_20_secrets() -> None:
    shares = [_differing_share(a, b) for a, b in itertools.permutations(range(20), 2)]
    assert statistics.mean(shares) >= 0.55 and min(shares) > 0.2


# ---- sealed checks (issue 19): the seal accepts exactly the answers the hidden tests give full marks ------------

def _namespace(nb: nbformat.NotebookNode) -> dict:
    """The names a student's kernel holds after running every cell but the test cells (model answers)."""
    namespace: dict = {"__name__": "__main__"}
    here = Path.cwd()
    os.chdir(SOLUTION.parent)
    try:
        for c in _runnable(nb).cells:
            meta = c.metadata.get("nbgrader", {})
            if c.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
                continue
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(c.source, f"<{_gid(c)}>", "exec"), namespace)  # noqa: S102 - the instructor's cells
    finally:
        os.chdir(here)
    return namespace


MARK = f"{sealed.RECORD}ps5-test:0"


def _compiled(source: str):
    """A test cell whose SEAL placeholders (the visible check and the hidden also_accept) record under MARK."""
    return compile(seal_step.substitute(source, [MARK] * len(seal_step.placeholders(source))), "<test>", "exec")


@contextlib.contextmanager
def _also_accept_as_graded():
    """``also_accept`` as a graded notebook runs it (its seal is a real one there): it does nothing. Recording the
    hidden tests' alternatives again for every candidate answer was most of this test's time; _accepted records
    them once per cell."""
    real = exercises.also_accept
    exercises.also_accept = lambda seal, *values: None
    try:
        yield
    finally:
        exercises.also_accept = real


def _run_test_cell(code, namespace: dict, answer: str, value) -> tuple[bool, str | None]:
    """Run a recording test cell with ``answer`` set to ``value``: (whether the whole cell passed, the canonical
    text its sealed check was given, None when a visible check failed before it)."""
    ns = {**namespace, answer: value}
    try:
        with contextlib.redirect_stdout(io.StringIO()), _also_accept_as_graded():
            exec(code, ns)  # noqa: S102 - the instructor's test cell
        passed = True
    except Exception:  # a failed test cell, as nbgrader counts it
        passed = False
    texts = sealed._records.pop(MARK, [])
    sealed._alternatives.pop(MARK, None)
    return passed, (texts[0] if texts else None)


def _accepted(code, namespace: dict) -> set[str]:
    """The texts the release seals for a cell: the model answer's, and every also_accept of its hidden tests."""
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, {**namespace})  # noqa: S102 - the instructor's test cell
    return set(sealed._records.pop(MARK)) | set(sealed._alternatives.pop(MARK, []))


def _candidates(name: str, ns: dict, story) -> tuple[str, list]:
    """(the answer a cell reads, values a student could hand in: the model's, its near misses, every subset or
    every path of the simulator's table one step further)."""
    if name in ps5.Q1_CELLS:
        k = ps5.Q1_CELLS.index(name) + 1
        codes = [*sorted({"not_mronj", "at_risk", "0", "1", "2", "3"}), 3, "stage 2"]
        return "stages", [{**ns["stages"], f"Patient {k}": s} for s in codes]
    if name == "ps5_q2_no_seed_claims":
        menu = ns["MENU_IDS"]
        subsets = [list(c) for r in range(len(menu) + 1) for c in itertools.combinations(menu, r)]
        return "stage_plan", subsets + [s[::-1] + s[:1] for s in subsets if s]
    if name.startswith("ps5_q3_"):
        paths = [list(p) for p in ps5.story_table(story)]
        return "opening_decisions", paths + [p + [a] for p in paths for a in sorted(vp.ACTIONS)]
    if name == "ps5_q5_cases":
        w, b = ns["oncology_cases"]
        return "oncology_cases", [(w + dw, b + db) for dw in (-1, 0, 1, 10) for db in (-1, 0, 1)] + [
            (float(w), float(b)), [w, b], (b, w), (w, w), (2, 2)]
    if name == "ps5_q6_edges":
        model = ns["patients_to_prevent_one"]

        def scaled(f):
            return lambda a, b: (lambda r: r if r == math.inf else f(r))(model(a, b))
        changes = [lambda r: r, round, math.floor, math.ceil, lambda r: r * (1 + 1e-8), lambda r: r * (1 + 1e-5),
                   lambda r: round(r, 1), lambda r: round(r, 2), lambda r: r / 1000]
        return "patients_to_prevent_one", [scaled(f) for f in changes] + [lambda a, b: math.inf]
    if name.startswith("ps5_q7_"):
        answer = "nnt_oncology" if name == "ps5_q7_oncology" else "nnt_osteoporosis"
        v = ns[answer]
        near = [v * (1 + k / 4000) for k in range(-40, 41)] + [float(round(v) + d) + f for d in (-2, -1, 0, 1, 2)
                                                                for f in (0.0, 0.49, 0.5, 0.51)]
        return answer, near + [math.floor(v), math.ceil(v), round(v, -1), round(v, -2), math.inf, -v]
    if name == "ps5_q8_complete":
        ids = ns["COHORT_INPUTS"]
        return "teaching_assumptions", [list(c) for r in range(len(ids) + 1) for c in itertools.combinations(ids, r)]
    raise AssertionError(f"no candidates for {name}: a new sealed cell needs its candidates here")


SEALED_RUNS = [None, *(pytest.param(i, marks=pytest.mark.slow) for i in range(8))]  # the default in the fast tier


@pytest.mark.parametrize("i", SEALED_RUNS)
def test_seal_accepts_exactly_what_the_hidden_tests_give_full_marks(i: int | None) -> None:
    """For each test cell with hidden tests, on every candidate answer: Validate passes (the visible checks and
    the seal made from the model answer and the hidden tests' also_accept) exactly when the whole cell scores."""
    nb = default() if i is None else variant(i)
    story = ps5.DEFAULT_STORY if i is None else drawn(i)[-1]
    ns = _namespace(nb)
    sealed_cells = seal_step.sealed_cells(nb)
    with_hidden = {_gid(c) for c in nb.cells
                   if BEGIN_HIDDEN in c.source and c.metadata.get("nbgrader", {}).get("grade")}
    assert set(sealed_cells) == with_hidden
    for name in sealed_cells:
        code = _compiled(cell(nb, name))
        answer, values = _candidates(name, ns, story)
        accepted = _accepted(code, ns)
        verdicts = [(_run_test_cell(code, ns, answer, v), v) for v in values]
        wrong = [(v, passed, text) for (passed, text), v in verdicts
                 if passed != (text is not None and text in accepted)]
        assert not wrong, (i, name, wrong[:3])
        assert any(passed for (passed, _), _ in verdicts) and not all(passed for (passed, _), _ in verdicts), name
