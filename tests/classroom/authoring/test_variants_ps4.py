"""ps4_prevention's per-class variants (issue 22): 20 random secrets, each variant as sound as the default.

Everything runs in-process (``variants.score`` executes the notebook's cells in one namespace, from a temporary
directory): the solution scores full marks on every variant, the default's model answers score at most 20%,
two variants share at most 20% of their expected answers, every wrong submission is still caught in each
question it was caught in before, and every key the variant's notebook holds is what the engine computes.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import datetime as dt
import io
import json
import random
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import answer_probe, integrity, seal, variants
from classroom.authoring import wrong_submissions as ws
from classroom.authoring.assignment_model import read_cells
from classroom.authoring.variants import ps4_prevention as ps4
from classroom.authoring.variants.ps4_prevention import field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.notebooknode import NotebookNode
from osteonecrosis import cases, knowledge, prevention, sealed
from osteonecrosis.plan import make_plan

from tests.conftest import ASSIGNMENTS, SOLUTIONS

ASSIGNMENT = "ps4_prevention"
SECRETS = [random.Random(f"ps4-{i}").randbytes(32) for i in range(20)]   # random, and the same on every run


@cache
def solution() -> NotebookNode:
    return nbformat.read(str(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)


@cache
def variant(secret: bytes) -> NotebookNode:
    return variants.apply(copy.deepcopy(solution()), variants.draw(ASSIGNMENT, secret), ASSIGNMENT)


def params(secret: bytes) -> ps4.Params:
    """The same choices ``variants.draw`` made for this secret."""
    return ps4.draw_params(random.Random(variants.seed_for(secret, ASSIGNMENT)))


def cell(nb: NotebookNode, name: str) -> str:
    return next(c.source for c in nb.cells
                if (c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id")) == name)


def answers(nb: NotebookNode, name: str) -> dict[str, object]:
    """The names an answer cell of ``nb`` defines (the model answer)."""
    space: dict[str, object] = {"date": dt.date, "timedelta": dt.timedelta}
    exec(cell(nb, name), space)  # noqa: S102 - the instructor's own solution
    return space


def question(grade_id: str) -> str:
    return re.match(r"ps4_q\d+", grade_id).group(0)  # type: ignore[union-attr]


def lost(scores: dict[str, tuple[float, float]]) -> set[str]:
    return {gid for gid, (earned, possible) in scores.items() if earned < possible}


# --- the default notebook is the DEFAULT parameters, rendered with the engine ---------------------------------

def test_every_default_literal_is_in_its_cells() -> None:
    nb = solution()
    names = {(c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id")): c.source for c in nb.cells}
    for name, cells, text in ps4.literals(ps4.DEFAULT):
        holders = cells or tuple(n for n, source in names.items() if text in source)
        assert holders, f"{name}: no cell holds {text[:60]!r}"
        for n in holders:
            assert text in names[n], f"{name}: cell {n} does not hold {text[:60]!r} (edit the draw with the cell)"


def test_no_secret_is_the_default() -> None:
    assert variants.draw(ASSIGNMENT, None) == []
    assert ps4.swaps_between(ps4.DEFAULT, ps4.DEFAULT) == []


def test_the_same_secret_gives_the_same_variant() -> None:
    assert variants.draw(ASSIGNMENT, SECRETS[0]) == variants.draw(ASSIGNMENT, SECRETS[0])
    assert variants.draw(ASSIGNMENT, SECRETS[0]) != variants.draw(ASSIGNMENT, SECRETS[1])


# --- 20 secrets -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_solution_full_marks_and_default_answers_at_most_a_fifth(index: int, tmp_path) -> None:
    nb = variant(SECRETS[index])
    scores = variants.score(nb, tmp_path)
    assert sum(p for _, p in scores.values()) == 24
    assert not lost(scores), f"the variant's solution loses {sorted(lost(scores))}"
    crossed = variants.score(variants.with_answers_of(solution(), nb), tmp_path)
    assert variants.share_earned(crossed) <= 0.20, sorted(set(crossed) - lost(crossed))


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_each_variant_passes_the_static_checks_of_make_check(index: int, tmp_path) -> None:
    """The source checks ``make check`` runs on the instructor's notebook (no literal expected value in a
    visible check, pointers, knowledge citations, one item per cell...), run on the variant."""
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(variant(SECRETS[index]), str(path))
    cells = read_cells(path)
    problems = integrity.source_problems(ASSIGNMENT, cells, path.name)
    problems += integrity.trust_problems(ASSIGNMENT, cells, path, tmp_path / "no-release")
    assert not problems


@pytest.mark.parametrize("index", [pytest.param(i, marks=() if i < 2 else pytest.mark.slow) for i in range(20)])
def test_each_variant_fails_wrong_forms_with_one_readable_line(index: int, tmp_path) -> None:
    """``make check``'s answer probe on the variant (about 4 s each: two secrets in the fast tier)."""
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(variant(SECRETS[index]), str(path))
    assert answer_probe.problems(path) == []


def _tests(nb: NotebookNode) -> dict[str, tuple[str, float]]:
    """grade id -> (source, points) of each autograded test cell (its visible and hidden checks)."""
    return {c.metadata["nbgrader"]["grade_id"]: (c.source, float(c.metadata["nbgrader"]["points"]))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


# A function question's model answer is the rule itself (what notebook 06 teaches): it passes on any variant
# whose function takes its inputs in the same form. Q10 is the same for every patient the course can draw.
SAME_RULE = {"ps4_q7_case", "ps4_q7_edges", "ps4_q9_case", "ps4_q9_short", "ps4_q9_grid",
             "ps4_q10_bisphosphonate", "ps4_q10_denosumab"}


def test_any_two_secrets_expect_different_answers_for_at_least_80_percent_of_the_points() -> None:
    """Over all 190 pairs of the 20 secrets: the test cells whose checked values differ carry >= 80% of the
    points (Q10's two points are the ones that never change)."""
    tests = [_tests(variant(s)) for s in SECRETS]
    shares = []
    for i in range(len(tests)):
        for j in range(i + 1, len(tests)):
            differ = sum(points for gid, (source, points) in tests[i].items() if tests[j][gid][0] != source)
            shares.append(differ / sum(points for _, points in tests[i].values()))
    assert min(shares) >= 0.80, min(shares)
    assert sum(shares) / len(shares) >= 0.9


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_another_secrets_answers_score_only_on_the_rules(index: int, tmp_path) -> None:
    """Another secret's model answers, graded on this variant, score nothing but the function questions (when
    the two variants ask for the same input form) and Q10."""
    other = SECRETS[(index + 1) % len(SECRETS)]
    crossed = variants.score(variants.with_answers_of(variant(other), variant(SECRETS[index])), tmp_path)
    assert set(crossed) - lost(crossed) <= SAME_RULE


_CAUGHT: dict[str, set[str]] = {}


def caught_on_default(name: str, cwd: str) -> set[str]:
    """The questions a wrong submission loses points in on the default variant (scored once per session)."""
    if name not in _CAUGHT:
        mistake = next(m for m in ws.load(ASSIGNMENT) if m.name == name)
        _CAUGHT[name] = {question(g) for g in lost(variants.score(ws.apply(solution(), mistake), Path(cwd)))}
    return _CAUGHT[name]


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_each_wrong_submission_is_still_caught(index: int, tmp_path) -> None:
    """Each fixture (written against the default) loses points on the variant in every question where it loses
    points on the default."""
    nb = variant(SECRETS[index])
    for mistake in ws.load(ASSIGNMENT):
        before = caught_on_default(mistake.name, str(tmp_path))
        after = {question(g) for g in lost(variants.score(ws.apply(nb, mistake), tmp_path))}
        assert before and before <= after, f"{mistake.name!r}: caught in {sorted(after)}, before {sorted(before)}"


def _menu_ids(nb: NotebookNode, labels: list[str]) -> set[str]:
    back = {label: i for i, label in params_labels(nb).items()}
    return {back[label] for label in labels}


def params_labels(nb: NotebookNode) -> dict[str, str]:
    """knowledge id -> label, read from the variant's menu cell (the two extra items from their lines)."""
    menu = cell(nb, "ps4_menu")
    labels = dict(ast.literal_eval(re.search(r"MENU_LABELS = (\{.*?\})", menu).group(1)))  # type: ignore[union-attr]
    extra = re.findall(r'CHECKLIST_MENU\["([^"]+)"\] = "(Measure serum CTX|Give antibiotic)', menu)
    labels.update({"ctx-test": extra[0][0], "antibiotic-cover": extra[1][0]})
    return {i: labels.get(i, i) for i in ps4.menu_ids()}


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_the_variant_keys_are_what_the_engine_computes(index: int) -> None:
    p, nb = params(SECRETS[index]), variant(SECRETS[index])
    # Q1/Q2: the model checklists are the engine's pre-treatment checklists of the two patients
    ids = set(ps4.menu_ids())
    q1 = _menu_ids(nb, answers(nb, "ps4_q1_answer")["oncology_checklist"])  # type: ignore[arg-type]
    oncology = cases.library_case(ps4.ONCOLOGY_CASE)
    assert q1 == {field(i, "id") for i in prevention.pretreatment_checklist(oncology)} & ids
    q2 = _menu_ids(nb, answers(nb, "ps4_q2_answer")["osteoporosis_checklist"])  # type: ignore[arg-type]
    assert q2 <= {field(i, "id") for i in prevention.pretreatment_checklist(ps4.q2_case(p))}
    assert prevention.scope(ps4.q2_case(p)) == "osteoporosis" and prevention.scope(oncology) == "oncology"
    # Q4: MASCC's advice against elective dentoalveolar surgery, case by case
    applies = answers(nb, "ps4_q4_answer")["mascc_applies"]
    for s in p.scenarios:
        advice = field(prevention.elective_surgery_advice(s.case()), "advice")
        assert applies[s.key] is (advice == "avoid_elective"), s  # type: ignore[index]
        assert s.key in cell(nb, "ps4_scenarios")
    # Q5/Q6: the windows of the patient's last injection
    ects = prevention.denosumab_window(p.last_injection, "ects2022")
    sdcep = prevention.denosumab_window(p.last_injection, "sdcep2017")
    window = answers(nb, "ps4_q5_answer")["ects_surgery_window"]
    assert tuple(d.isoformat() for d in window) == (  # type: ignore[attr-defined]
        str(field(ects, "procedure_earliest")), str(field(ects, "procedure_latest")))
    acceptable = answers(nb, "ps4_q6_answer")["sdcep_acceptable"]
    assert set(acceptable) == set(p.offered)  # type: ignore[arg-type]
    lo, hi = str(field(sdcep, "procedure_earliest")), str(field(sdcep, "procedure_latest"))
    for day, ok in acceptable.items():  # type: ignore[attr-defined]
        assert ok is (lo <= day.isoformat() <= hi)
    assert f"last_injection={ps4.pyd(p.last_injection)}" in cell(nb, "ps4_case_c")
    # Q7: every row of the hidden grid is ects_next_injection for the due date's last injection
    q7 = cell(nb, "ps4_q7_edges")
    grid = ast.literal_eval(re.search(r"zip\((\[\(.*\)\]), _windows, strict=True\):", q7).group(1))  # type: ignore[union-attr]
    # the hidden rows are the sealed check's answers, zipped in the sealed loop's order
    assert ("_procs = [(_proc, _due) for _due in _dues "
            "for _proc in [_due - timedelta(days=_n) for _n in range(35, -1, -1)]]") in q7
    dues = eval(re.search(r"_dues = (\[.*\])", q7).group(1), {"date": dt.date})  # type: ignore[union-attr]
    assert [row[:2] for row in grid] == [((d - dt.timedelta(days=n)).isoformat(), d.isoformat())
                                          for d in dues for n in range(35, -1, -1)]
    lasts = {str(field(prevention.denosumab_window(last), "scheduled_next_dose")): last
             for last in (p.last_injection, *p.grid_lasts)}
    assert len(grid) >= 3 * 28 and set(lasts) == {row[1] for row in grid}
    for proc, due, lo, hi in grid:
        result = prevention.ects_next_injection(lasts[due], dt.date.fromisoformat(proc))
        assert (lo, hi) == (str(field(result, "next_injection_earliest")), str(field(result, "next_injection_latest")))
    # the sealed check of Q7 calls the function on the graded inputs: every day from Q7_GRID_DAYS before each due date
    dues = list(dict.fromkeys(row[1] for row in grid))
    shown = re.search(r"_dues = (\[.*\])", cell(nb, "ps4_q7_edges")).group(1)  # type: ignore[union-attr]
    assert shown == "[" + ", ".join(ps4.pyd(dt.date.fromisoformat(d)) for d in dues) + "]"
    assert f"range({ps4.Q7_GRID_DAYS}, -1, -1)" in cell(nb, "ps4_q7_edges")
    assert sorted((proc, due) for proc, due, _, _ in grid) == sorted(
        ((dt.date.fromisoformat(d) - dt.timedelta(days=n)).isoformat(), d)
        for d in dues for n in range(ps4.Q7_GRID_DAYS + 1))
    # Q9: the ECTS pause from the knowledge base
    days = knowledge.find("holiday-ects2022-bp", "prevention")["pause_days_before_at_least"]
    rows = ast.literal_eval(re.search(r"_back in (\[\(.*\)\]):", cell(nb, "ps4_q9_grid")).group(1))  # type: ignore[union-attr]
    assert len(rows) == 5
    sealed_inputs = ast.literal_eval(re.search(r"_healed in (\[\(.*\)\]):", cell(nb, "ps4_q9_grid")).group(1))  # type: ignore[union-attr]
    assert sealed_inputs == [(proc, healed) for proc, healed, _, _ in rows]  # the sealed check sees the graded inputs
    for proc, healed, last, back in rows:
        assert dt.date.fromisoformat(last) == dt.date.fromisoformat(proc) - dt.timedelta(days=days)
        assert back == healed
    # Q11: counts from the meta-analysis entry
    ctx = prevention.ctx_advice()[0]
    got = answers(nb, "ps4_q11_answer")
    assert got[f"flagged_among_{p.n_with}_with_mronj"] == round(p.n_with * field(ctx, "sensitivity_percent") / 100)
    assert got[f"flagged_among_{p.n_without}_without_mronj"] == round(
        p.n_without * (100 - field(ctx, "specificity_percent")) / 100)


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_the_variant_patients_obey_the_clinical_rules(index: int) -> None:
    """The rules the property suite checks, on this variant's patients (tests/osteonecrosis/
    test_clinical_properties.py): denosumab is timed, never stopped, with urgent treatment going ahead
    (SDCEP, ECTS 2022); a denosumab dose overdue carries the rebound warning (ECTS 2022); MASCC 2019's advice
    against elective dentoalveolar surgery covers the oncologic doses only."""
    p = params(SECRETS[index])
    base = cases.library_case("op-denosumab-implant")
    med = base.medications[0]
    patient = replace(base, medications=(replace(med, last_dose=p.last_injection),), assessed_on=p.seen_on)
    plan = make_plan(patient)
    windows = {field(w, "id"): w for w in field(plan.procedure_advice, "denosumab_windows")}
    assert {"dmab-ects2022", "dmab-sdcep2017", "dmab-urgent-proceeds"} <= set(windows)
    assert str(field(windows["dmab-ects2022"], "procedure_earliest")) == ps4.keys(p).ects_window[0].isoformat()
    assert "rebound" not in " ".join(plan.warnings)
    overdue = make_plan(patient, today=ps4.keys(p).cap + dt.timedelta(days=7))
    assert "rebound" in " ".join(overdue.warnings) and "overdue" in " ".join(overdue.warnings)
    for s, oncologic in zip(p.scenarios, (True, True, False, False), strict=True):
        case = s.case()
        assert (prevention.dose_group(case) == "oncologic") is oncologic, s
        advice = field(field(make_plan(case).procedure_advice, "elective_surgery"), "advice")
        assert (advice == "avoid_elective") is oncologic, (s, advice)


# --- the sealed checks agree with the hidden tests (issue 19) -------------------------------------------------
# For every value a student can give, Validate (the released cell: form checks and the sealed check) passes
# exactly when grading's hidden tests pass (the solution's cell: form checks and hidden tests; its SEAL is None).
# Stricter, and a right answer would lose its points; looser, and a wrong one would pass Validate.

@cache
def released() -> NotebookNode:
    return nbformat.read(str(ASSIGNMENTS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)


def _passes(source: str, answers: dict[str, object]) -> bool:
    space: dict[str, object] = {"__name__": "__main__", **answers}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<test cell>", "exec"), space)  # noqa: S102 - the course's own test cells
    except Exception:  # a failed test cell, as Validate and nbgrader count it
        return False
    return True


def agree(grade_id: str, answers: dict[str, object]) -> bool:
    """Whether Validate passes (asserting it does exactly when the hidden tests do)."""
    validate = _passes(cell(released(), grade_id), answers)
    graded = _passes(cell(solution(), grade_id), answers)
    assert validate == graded, f"{grade_id}: Validate {'passes' if validate else 'fails'}, grading does not agree"
    return validate


MENU = ps4.menu_ids()
GUIDELINES = ["sdcep2017", "ects2022", "mascc2019", "aaoms2009", "aaoms2014", "aaoms2022"]


def _id_lists(key: list[str]) -> st.SearchStrategy[list[str]]:
    """Lists near ``key``: items dropped, menu items or strangers added, repeated, in any order."""
    return st.tuples(st.sets(st.sampled_from(key), max_size=2),
                     st.lists(st.sampled_from([*MENU, "pre-other", "Pre-education"]), max_size=3)).map(
        lambda t: [i for i in key if i not in t[0]] + t[1]).flatmap(st.permutations)


def _dates(day: dt.date) -> st.SearchStrategy[object]:
    """A day near ``day`` as a date, ISO text or a datetime."""
    return st.integers(-3, 3).map(lambda n: day + dt.timedelta(days=n)).flatmap(lambda d: st.sampled_from(
        [d, d.isoformat(), dt.datetime(d.year, d.month, d.day, 9, 30)]))


VERDICTS = st.sampled_from([True, False, True, False, None, 1, 0, "True"])
KIND = st.sampled_from(["date", "iso", "datetime"])


def _as(kind: str, d: dt.date) -> object:
    return {"date": d, "iso": d.isoformat(), "datetime": dt.datetime(d.year, d.month, d.day)}[kind]


def _q7(e_days: int, late_weeks: int, cap_weeks: int, threshold: int | None, kind: str):  # noqa: ANN202
    def next_injection_window(procedure_date, due_date):  # noqa: ANN001, ANN202
        earliest = procedure_date + dt.timedelta(days=e_days)
        if threshold is None:
            latest = min(procedure_date + dt.timedelta(weeks=late_weeks), due_date + dt.timedelta(weeks=cap_weeks))
        elif (due_date - procedure_date).days > threshold:
            latest = procedure_date + dt.timedelta(weeks=late_weeks)
        else:
            latest = due_date + dt.timedelta(weeks=cap_weeks)
        return _as(kind, earliest), _as(kind, latest)
    return next_injection_window


def _q9(before: int, after: int, kind: str):  # noqa: ANN202
    def ects_bp_pause(procedure_date, healed_date):  # noqa: ANN001, ANN202
        return _as(kind, procedure_date - dt.timedelta(days=before)), _as(kind, healed_date + dt.timedelta(days=after))
    return ects_bp_pause


KEYS = ps4.keys(ps4.DEFAULT)
D = dt.date
# grade id -> (answer name, the values drawn, a well-formed wrong value the old visible checks let through)
ANSWERS: dict[str, tuple[str, st.SearchStrategy[object], object]] = {
    "ps4_q1_complete": ("oncology_checklist", _id_lists([*KEYS.q1_checklist, "antibiotic-cover"]),
                        [i for i in KEYS.q1_checklist if i != "pre-education"]),
    "ps4_q2_complete": ("osteoporosis_checklist", _id_lists(list(KEYS.q2_required)),
                        ["pre-sdcep-dentally-fit", "pre-education", "pre-assessment"]),
    "ps4_q4_alveoloplasty": ("mascc_applies", st.fixed_dictionaries({s.key: VERDICTS for s in ps4.DEFAULT.scenarios}),
                             {s.key: s.drug == "zoledronate" for s in ps4.DEFAULT.scenarios}),
    "ps4_q5_window_start": ("ects_surgery_window", st.tuples(*map(_dates, KEYS.ects_window)),
                            (D(2026, 7, 30), D(2026, 9, 2))),
    "ps4_q5_window_end": ("ects_surgery_window", st.lists(_dates(KEYS.ects_window[1]), min_size=2, max_size=2),
                          (D(2026, 8, 2), D(2026, 9, 1))),
    "ps4_q6_month_before": ("sdcep_acceptable", st.dictionaries(st.sampled_from(
        [*ps4.DEFAULT.offered, *(d.isoformat() for d in ps4.DEFAULT.offered), D(2026, 8, 18)]), VERDICTS),
        dict.fromkeys(ps4.DEFAULT.offered, True)),
    "ps4_q7_edges": ("next_injection_window", st.builds(
        _q7, st.sampled_from([27, 28, 28, 29]), st.sampled_from([5, 6, 6, 7]), st.sampled_from([3, 4, 4, 5]),
        st.sampled_from([None, None, 7, 13, 14, 15]), KIND), _q7(28, 6, 4, 7, "date")),
    "ps4_q9_short": ("ects_bp_pause", st.builds(_q9, st.sampled_from([6, 7, 8]), st.sampled_from([-1, 0, 0, 1]), KIND),
                     _q9(7, 1, "date")),
    "ps4_q9_grid": ("ects_bp_pause", st.builds(_q9, st.sampled_from([6, 7, 7, 8, 14]),
                                               st.sampled_from([-1, 0, 0, 1]), KIND), _q9(8, 0, "iso")),
    "ps4_q10_bisphosphonate": ("pause_bisphosphonate", st.lists(st.sampled_from(GUIDELINES), max_size=4),
                               ["ects2022", "mascc2019"]),
    "ps4_q10_denosumab": ("stop_denosumab", st.lists(st.sampled_from(GUIDELINES), max_size=3), ["ects2022"]),
    "ps4_q11_true_positives": ("flagged_among_100_with_mronj", st.one_of(
        st.integers(30, 38), st.floats(32, 36), st.sampled_from([33.5, 34.26, 34.5, 35.4, 34.0, "34"])), 35),
    "ps4_q11_false_positives": ("flagged_among_100_without_mronj", st.one_of(
        st.integers(19, 27), st.floats(21, 25), st.sampled_from([22.5, 22.92, 23.4, 23.5, 22.0, 77])), 22),
}


def test_every_cell_with_hidden_tests_has_a_sealed_property() -> None:
    hidden = {gid for gid, (source, _) in _tests(solution()).items() if "### BEGIN HIDDEN TESTS" in source}
    assert hidden == set(ANSWERS)


@pytest.mark.slow
@pytest.mark.parametrize("grade_id", sorted(ANSWERS))
def test_the_sealed_check_passes_exactly_when_the_hidden_tests_do(grade_id: str) -> None:
    name, values, wrong = ANSWERS[grade_id]
    model = answers(solution(), _answer_cell(name))[name]
    assert agree(grade_id, {name: model}), f"{grade_id}: the model answer fails Validate"
    assert not agree(grade_id, {name: wrong}), f"{grade_id}: a wrong answer passes Validate"

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(values)
    def check(value: object) -> None:
        agree(grade_id, {name: value})

    check()


def _answer_cell(name: str) -> str:
    return next(c.metadata["nbgrader"]["grade_id"] for c in solution().cells
                if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
                and re.search(rf"^(def )?{name}\b", c.source, re.MULTILINE))


def seal_in_process(nb: NotebookNode, cwd: Path) -> NotebookNode:
    """``nb`` with its seals written as the release writes them (classroom.authoring.seal), the model answers
    recorded in this process instead of a kernel."""
    counts = seal.sealed_cells(nb)
    run = seal.recording_copy(nb, counts)
    run.cells = run.cells[:-1]  # the recorder cell: the records are read here
    sealed._records.clear()
    sealed._alternatives.clear()
    variants.score(run, cwd)
    data = json.loads(sealed.recorded())
    out = copy.deepcopy(nb)
    for c in out.cells:
        gid = seal.grade_id(c)
        if gid in counts:
            seals = []
            for k in range(counts[gid]):
                m = seal.marker(gid, k)
                given_texts = sorted(set(data["records"].get(m, [])))
                assert len(given_texts) == 1, f"{gid}: sealed check {k + 1} was given {len(given_texts)} values"
                seals.append(sealed.make_seal(given_texts + data["alternatives"].get(m, []), f"test-{gid}-{k}"))
            c.source = seal.substitute(c.source, [seals[k] for k in seal.slots(c.source)])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_each_variants_seals_accept_its_model_answers_and_refuse_the_defaults(index: int, tmp_path) -> None:
    """The seals follow the variant: its own model answers pass every sealed check (full marks with the hidden
    tests), and the default's answers, handed in on it, pass Validate only where they earn the points."""
    nb = seal_in_process(variant(SECRETS[index]), tmp_path)
    assert not seal.sealed_cells(nb) and sum("'s1:" in c.source for c in nb.cells) == len(ANSWERS)
    scores = variants.score(nb, tmp_path)
    assert not lost(scores), f"the variant's sealed model answers lose {sorted(lost(scores))}"
    crossed = variants.with_answers_of(solution(), nb)
    graded = variants.score(crossed, tmp_path)
    validated = variants.score(_without_hidden_tests(crossed), tmp_path)
    assert lost(validated) == lost(graded)


def _without_hidden_tests(nb: NotebookNode) -> NotebookNode:
    out = copy.deepcopy(nb)
    for c in out.cells:
        if "### BEGIN HIDDEN TESTS" in c.source:
            before, rest = c.source.split("### BEGIN HIDDEN TESTS", 1)
            c.source = before + rest.split("### END HIDDEN TESTS", 1)[1]
    return out
