"""ps3_management variants (issue 22): 20 secrets, each variant as sound as the default.

In-process and fast: the notebooks run through ``classroom.authoring.variants.score`` (the instructor's own
source), the fixtures through ``classroom.authoring.wrong_submissions.apply``, the integrity checks of
``make check`` through ``classroom.authoring.assignment_checks`` on a copy written to tmp_path.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from functools import cache
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import assignment_checks as checks
from classroom.authoring import variants, wrong_submissions
from classroom.authoring.assignment_model import ROOT, read_cells
from classroom.authoring.integrity import source_problems
from classroom.authoring.variants import ps3_management as ps3
from osteonecrosis import management, staging
from osteonecrosis.plan import make_plan

ASSIGNMENT = "ps3_management"
SOURCE = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CWD = SOURCE.parent
# Measured on these secrets (issue 22's report): the floor and the mean of the share of points whose keys differ.
MIN_PAIR_SHARE = 0.3
MEAN_PAIR_SHARE = 0.62
SECRETS = [f"ps3 test secret {i:02d} {'x' * 16}".encode() for i in range(20)]


@cache
def default() -> nbformat.NotebookNode:
    return nbformat.read(str(SOURCE), as_version=4)


@cache
def variant(secret: bytes) -> nbformat.NotebookNode:
    return variants.apply(copy.deepcopy(default()), variants.draw(ASSIGNMENT, secret), where=ASSIGNMENT)


@cache
def scores(secret: bytes) -> dict[str, tuple[float, float]]:
    return variants.score(variant(secret), CWD)


def cell(nb: nbformat.NotebookNode, name: str) -> str:
    (src,) = [c.source for c in nb.cells
              if (c.metadata.get("nbgrader", {}).get("grade_id") or c.get("id")) == name]
    return src


def lost(answers_of: nbformat.NotebookNode, on: nbformat.NotebookNode) -> float:
    """Share of autograded points ``answers_of``'s model answers lose on ``on`` (their keys differ)."""
    return 1 - variants.share_earned(variants.score(variants.with_answers_of(answers_of, on), CWD))


def test_the_default_is_unchanged_without_a_secret() -> None:
    assert variants.draw(ASSIGNMENT, None) == []
    assert variants.share_earned(variants.score(default(), CWD)) == 1.0


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_solution_full_marks_and_default_answers_at_most_a_fifth(index: int) -> None:
    secret = SECRETS[index]
    assert variants.share_earned(scores(secret)) == 1.0, [k for k, (e, p) in scores(secret).items() if e < p]
    assert lost(default(), variant(secret)) >= 0.8


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_each_wrong_submission_still_loses_points(index: int) -> None:
    nb = variant(SECRETS[index])
    for mistake in wrong_submissions.load(ASSIGNMENT):
        earned = variants.share_earned(variants.score(wrong_submissions.apply(nb, mistake), CWD))
        assert earned < 1.0, mistake.name


def test_two_secrets_have_different_keys() -> None:
    """Every pair of the 20 secrets: the share of points whose keys differ (one variant's model answers lose
    them on the other). Measured: see the report of issue 22 (the mean and the floor asserted here)."""
    shares = [lost(variant(a), variant(b)) for a, b in itertools.permutations(SECRETS[:10], 2)]
    assert min(shares) >= MIN_PAIR_SHARE
    assert sum(shares) / len(shares) >= MEAN_PAIR_SHARE


def test_variants_differ_from_each_other() -> None:
    texts = {json.dumps([c.source for c in variant(s).cells]) for s in SECRETS}
    assert len(texts) == len(SECRETS)


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_clinical_keys_are_what_the_engine_computes(index: int) -> None:
    import random

    nb = variant(SECRETS[index])
    drawn = ps3.patients(random.Random(variants.seed_for(SECRETS[index], ASSIGNMENT)))
    # Patient 1: the engine stages the drawn case 2, the question shows that case, and "2" is the key
    assert staging.stage(drawn["q1"]["case"]).stage == "2"
    assert drawn["q1"]["text"] in cell(nb, "cell-04")
    assert "assert given == '2'" in cell(nb, "q1_tests")
    # Patients 2 and 3: the question shows the drawn case, the key and the model answer are its plan's menu items
    for key, number, where in (("q2", 2, "cell-09"), ("q3", 3, "cell-12")):
        patient = drawn[key]
        assert patient["text"] in cell(nb, where)
        expected = ps3.menu_plan(patient["case"])
        plan = make_plan(patient["case"], today=patient["case"].assessed_on)
        assert expected == [ps3.field_of(i, "id") for i in plan.management if ps3.field_of(i, "id") in ps3.menu_ids()]
        key_ids = json.loads(re.search(r"missing_and_extra\(given, (\[.*?\])\)", cell(nb, f"{key}_tests"))
                             .group(1).replace("'", '"'))
        answer = json.loads(cell(nb, f"{key}_plan").split(f"plan_patient_{number} = ")[-1].split("\n")[0])
        assert key_ids == answer == expected
        assert staging.stage(patient["case"]).stage == "not_mronj"
        assert patient["reasons"] != (ps3.DEFAULT_REASONS[key],)
    # Q4: each slot's key is the knowledge base's total
    for slot in ("q4_schedule_a", "q4_schedule_b", "q4_schedule_c"):
        src = cell(nb, slot)
        sid = re.search(r"hbo_sessions\['([a-z0-9-]+)'\]", src).group(1)
        total = int(re.search(r"assert n == (\d+),", src).group(1))
        assert total == management.hbo_sessions_total(sid)
    # Q5: the hidden letter is the unsupported schedule's letter in the question's list
    block = cell(nb, "cell-22")
    letter = re.search(r"unsupported_schedule == '([A-H])'", cell(nb, "q5_tests")).group(1)
    (unsupported,) = management.unsupported_hbo_schedules()
    assert f"- **{letter}** `{unsupported}`" in block
    # Q6: hours from the knowledge base's minutes and the question's sessions
    q6 = cell(nb, "cell-25")
    sid = re.search(r'`"(hbo-[a-z0-9-]+)"`', q6).group(1)
    hours = float(re.search(r"assert round\(value, 1\) == ([\d.]+),", cell(nb, "q6_tests")).group(1))
    schedule = management.hbo_protocol(sid)
    before, after = ps3.field_of(schedule, "sessions_before"), ps3.field_of(schedule, "sessions_after")
    done = after if "whole" in q6 else int(re.search(r"and (\d+) of those after", q6).group(1))
    assert hours == pytest.approx((before + done) * ps3.field_of(schedule, "minutes") / 60)
    # Q8: the hidden letter is the option the knowledge base gives as the outcome
    letter = re.search(r"bouquot_74_measures == '([A-H])'", cell(nb, "q8_tests")).group(1)
    assert f"- **{letter}** {ps3.q8_right()}" in cell(nb, "cell-30")


def test_drawn_cases_obey_the_case_contract_and_the_engine() -> None:
    """Many draws: Patient 1 is stage 2 and Patients 2-3 are not MRONJ for exactly their situation's reasons, whose
    menu items are the plan (the property suite's rules hold for every drawn case: it runs on the engine)."""
    import random

    rng = random.Random(7)
    for _ in range(100):
        drawn = ps3.patients(rng)
        assert staging.stage(drawn["q1"]["case"]).stage == "2"
        for situation in ps3.SITUATIONS:
            p = ps3.situation_patient(rng, situation)
            result = staging.stage(p["case"])
            assert result.stage == "not_mronj" and tuple(result.exclusions) == situation
            assert ps3.menu_plan(p["case"]) == [ps3.REASON_ENTRY[r] for r in situation]


def _property_suite() -> tuple[object, list]:
    """The clinical property suite's invariants that take one case (each guards its own precondition)."""
    import importlib.util
    import inspect

    path = ROOT / "tests" / "osteonecrosis" / "test_clinical_properties.py"
    spec = importlib.util.spec_from_file_location("ps3_variant_properties", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tests = [f for name, f in sorted(vars(module).items()) if name.startswith("test_") and hasattr(f, "hypothesis")
             and list(inspect.signature(f.hypothesis.inner_test).parameters) == ["data"]]
    return module, tests


def test_drawn_cases_obey_the_clinical_property_suite() -> None:
    """tests/osteonecrosis/test_clinical_properties.py, run on every patient the 20 secrets draw."""
    import random

    module, tests = _property_suite()
    assert len(tests) >= 10
    for secret in SECRETS:
        for patient in ps3.patients(random.Random(variants.seed_for(secret, ASSIGNMENT))).values():
            for test in tests:
                test.hypothesis.inner_test(copy.deepcopy(patient["data"]))
    applied = module.CASES_SEEN
    assert applied["suspected or staged -> referral"] >= len(SECRETS)
    assert applied["radiotherapy -> ORN items"] > 0


@pytest.mark.parametrize("index", range(len(SECRETS)))
def test_variant_passes_the_integrity_checks(index: int, tmp_path: Path) -> None:
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    nbformat.write(variant(SECRETS[index]), str(path))
    cells = read_cells(path)
    where = f"{ASSIGNMENT} variant {index}"
    problems = source_problems(ASSIGNMENT, cells, path.name)
    problems += checks.rendering_problems(cells, where) + checks.numbering_problems(cells, where)
    problems += checks.checked_now_problems(cells, where) + checks.one_item_per_cell_problems(cells, where)
    problems += checks.several_items_problems(cells, where) + checks.message_prefix_problems(cells, where)
    problems += checks.kernel_expectation_problems(cells, where) + checks.answer_read_problems(cells, where)
    problems += checks.knowledge_problems(cells, where) + checks.giveaway_check_problems(cells, where)
    problems += checks.passing_line_problems(cells, where)
    for c in cells:
        if c.kind in ("test", "manual") or c.cell_type == "markdown":
            problems += checks.pointer_problems(c.source, where, code=c.cell_type == "code")
    assert problems == []
