"""ps2's per-class variants (issue 22) on 20 random secrets: each variant is as sound as the default (solution full
marks, every wrong submission still loses points, the assignment checks pass), its clinical keys are the engine's
and obey the case contract's rules, and the answers of the default or of another class do not carry over. Its
sealed checks (issue 19) pass exactly the answers its hidden tests give full marks."""

from __future__ import annotations

import copy
import itertools
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest
from classroom.authoring import seal, variants, wrong_submissions
from classroom.authoring.assignment_model import SOLUTIONS, read_cells
from classroom.authoring.integrity import trust_problems
from classroom.authoring.variants import ps2_diagnosis_and_staging as ps2
from osteonecrosis.cases import STAGE3_FINDINGS, Case, drug_catalogue, library
from osteonecrosis.staging import STAGES, stage

ASSIGNMENT = "ps2_diagnosis_and_staging"
SECRETS = [random.Random(i).randbytes(32) for i in range(20)]
NOTEBOOK = SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
Q4_CELLS = ("q4_basic_tests", "q4_edge_tests", "q4_library_tests")


@cache
def default_nb() -> nbformat.NotebookNode:
    return nbformat.read(str(NOTEBOOK), as_version=4)


@cache
def drawn(i: int) -> tuple[ps2.Variant, nbformat.NotebookNode]:
    secret = SECRETS[i]
    v = ps2.variant(random.Random(variants.seed_for(secret, ASSIGNMENT)))
    nb = variants.apply(copy.deepcopy(default_nb()), v.swaps, where=f"{ASSIGNMENT} (secret {i})")
    return v, nb


@pytest.fixture(scope="module")
def cwd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ps2_variants")


_SEALED: dict[int, nbformat.NotebookNode] = {}


def sealed_variant(i: int | None, cwd: Path) -> nbformat.NotebookNode:
    """The variant (None: the default) as generate_assignment seals it: each SEAL replaced by the seal of what its
    model answer gives the sealed check (classroom.authoring.seal runs the model answers once in a kernel)."""
    key = -1 if i is None else i
    if key not in _SEALED:
        nb = copy.deepcopy(default_nb() if i is None else drawn(i)[1])
        seal.seal_notebook(nb, cwd, f"{ASSIGNMENT} (secret {i})")
        _SEALED[key] = nb
    return _SEALED[key]


def _cell(nb: nbformat.NotebookNode, name: str) -> str:
    return next(c.source for c in nb.cells if variants._cell_name(c) == name)


def _answer(nb: nbformat.NotebookNode, name: str, variable: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(_cell(nb, name).replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), namespace)  # noqa: S102
    return namespace[variable]


def test_the_core_draws_this_module_and_each_secret_its_own_variant() -> None:
    assert variants.draw(ASSIGNMENT, None) == []
    swaps = [variants.draw(ASSIGNMENT, s) for s in SECRETS]
    assert swaps[0] == drawn(0)[0].swaps
    assert len({repr(s) for s in swaps}) == len(SECRETS)


def test_solution_scores_full_marks_on_every_variant(cwd: Path) -> None:
    default = variants.score(default_nb(), cwd)
    assert variants.share_earned(default) == 1.0 and sum(p for _, p in default.values()) == 20
    for i in range(len(SECRETS)):
        scores = variants.score(drawn(i)[1], cwd)
        assert scores.keys() == default.keys()
        assert [g for g, (e, p) in scores.items() if e < p] == [], f"secret {i}"


def test_blank_scores_zero_on_every_variant(cwd: Path) -> None:
    for i in range(0, len(SECRETS), 5):
        nb = copy.deepcopy(drawn(i)[1])
        for c in nb.cells:
            if c.get("metadata", {}).get("nbgrader", {}).get("solution") and c.cell_type == "code":
                c.source = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "raise NotImplementedError()",
                                  c.source, flags=re.DOTALL)
        assert variants.share_earned(variants.score(nb, cwd)) == 0.0


def test_default_answers_score_at_most_a_fifth_of_a_variant(cwd: Path) -> None:
    shares = [variants.share_earned(variants.score(variants.with_answers_of(default_nb(), drawn(i)[1]), cwd))
              for i in range(len(SECRETS))]
    assert max(shares) <= 0.2, shares


def test_another_class_answers_score_at_most_a_fifth(cwd: Path) -> None:
    """Every pair of the 20 classes: one class's model answers handed in on the other's variant score at most a
    fifth, unless the two drew the same one of Part C's argument forms (the function is the same rules; its form
    is all that can vary): then Part C's 9 points carry over, and the rest still scores at most a fifth.
    Patient A's three True/False facts agree about half the time by nature."""
    shares = []
    for i, j in itertools.combinations(range(len(SECRETS)), 2):
        scores = variants.score(variants.with_answers_of(drawn(i)[1], drawn(j)[1]), cwd)
        shares.append(variants.share_earned(scores))
        if drawn(i)[0].contract == drawn(j)[0].contract:
            assert sum(e for g, (e, _) in scores.items() if g not in Q4_CELLS) <= 0.2 * 20, (i, j)
        else:
            assert shares[-1] <= 0.2, (i, j, shares[-1])
    assert sum(shares) / len(shares) <= 0.15


def test_part_b_stages_themselves_differ_between_classes() -> None:
    """Beyond the drawn case numbers: the stage asked at each position differs between most pairs of classes."""
    same = [sum(a.answer == b.answer for a, b in zip(drawn(i)[0].patients, drawn(j)[0].patients, strict=True))
            for i, j in itertools.combinations(range(len(SECRETS)), 2)]
    assert sum(same) / len(same) <= 2.5  # of 8 positions (3 of the 8 situations are 'not_mronj' by definition)


def _translate_function(source: str, contract: ps2.Contract) -> str:
    """A wrong staging function of the fixtures, rewritten into the variant's argument form (the same mistake)."""
    _signature, _, body = source.partition("):\n")
    if contract.split_exclusions:
        body = re.sub(r"\bradiotherapy_or_metastasis\b", "(jaw_radiotherapy or jaw_metastasis)", body)
    if contract.split_symptoms:
        body = re.sub(r"\bpain_or_infection\b", "(pain or infection)", body)
    if contract.days:
        body = re.sub(r"\bexposed_bone_weeks (<=|<) 8\b", rf"exposed_bone_days \1 {contract.threshold()}", body)
        body = re.sub(r"\bexposed_bone_weeks\b", "exposed_bone_days", body)
    body = re.sub(r"\bstage3_feature\b", contract.stage3, body)
    body = re.sub(r"\bnonspecific_sign\b", contract.signs, body)
    body = re.sub(r"\bdrug_exposure\b", contract.drug, body)
    return ps2._wrap("def aaoms_stage(", contract.params(), 16, tail="):") + "\n" + body


DEFAULT_CRITERIA = {"drug_exposure": True, "exposed_bone_over_8_weeks": True, "jaw_radiotherapy_or_metastasis": True}


def _value_of(source: str, name: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # noqa: S102 - the fixture file's own answer cells
    return namespace[name]


def _in_the_variant(m: wrong_submissions.Mistake, v: ps2.Variant) -> wrong_submissions.Mistake | None:
    """The same mistake made on the variant: the same wrong fact, stage or rule for the same teaching situation
    (None when the variant's patient of that situation makes the wrong value right, e.g. a painless stopped drug
    for 'stage 1 instead of 2'). Its expected marks move with the situation to the variant's test cell."""
    replace, expected = {}, dict(m.expected)
    for gid, text in m.replace.items():
        if gid == "q4_function":
            replace[gid] = _translate_function(text, v.contract)
        elif gid == "q1_criteria":
            given = _value_of(text, "criteria_patient_a")
            mine = v.patient_a.criteria
            flipped = {k: mine[k] if given[k] == DEFAULT_CRITERIA[k] else not mine[k] for k in given}
            replace[gid] = "criteria_patient_a = " + repr(flipped)
        elif gid == "q2_stages":
            given, stages = _value_of(text, "stages"), {}
            for k, (kind, right) in enumerate(zip(ps2.DEFAULT_KINDS, ps2.DEFAULT_STAGES, strict=True), start=1):
                j = next(j for j, p in enumerate(v.patients) if p.kind == kind)
                wrote, mine = given[f"Patient {k}"], v.patients[j]
                if wrote == right:
                    value: Any = mine.answer
                elif isinstance(wrote, int) and str(wrote) == right:  # the right stage written as a number
                    if not mine.answer.isdigit():
                        return None
                    value = int(mine.answer)
                elif wrote == "not MRONJ" and right == "not_mronj":  # the right stage in words
                    value = "not MRONJ" if mine.answer == "not_mronj" else None
                    if value is None:
                        return None
                elif wrote in mine.accepted:
                    return None
                else:
                    value = wrote
                stages[v.labels[j]] = value
                expected[f"q2_patient{j + 1}_tests"] = m.expected[f"q2_patient{k}_tests"]
            replace[gid] = "stages = " + repr(stages)
    return wrong_submissions.Mistake(m.name, m.why, replace, expected, m.expected_total)


def _visible_only(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What a student runs: the hidden tests left out."""
    out = copy.deepcopy(nb)
    for c in out.cells:
        c.source = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", c.source, flags=re.DOTALL)
    return out


def test_every_wrong_submission_still_loses_points(cwd: Path) -> None:
    """Each fixture as written loses points on every variant; and the same mistake made on the variant (same
    situation, same wrong value or rule, in the variant's form) scores exactly the marks the fixture expects, and
    a visible test of the sealed variant (what its students run) still catches it (as make check asks of the
    default)."""
    mistakes = wrong_submissions.load(ASSIGNMENT)
    assert len(mistakes) >= 3
    applied = 0
    for i in range(len(SECRETS)):
        v, nb = drawn(i)
        full = sum(p for _, p in variants.score(nb, cwd).values())
        sealed = sealed_variant(i, cwd)
        for m in mistakes:
            scores = variants.score(wrong_submissions.apply(nb, m), cwd)
            assert sum(e for e, _ in scores.values()) < full, f"secret {i}: {m.name!r} scores full marks"
            same = _in_the_variant(m, v)
            if same is None:
                continue
            applied += 1
            scores = variants.score(wrong_submissions.apply(nb, same), cwd)
            assert {g: e for g, (e, _) in scores.items()} == same.expected, f"secret {i}: {m.name!r} in the variant"
            visible = variants.score(_visible_only(wrong_submissions.apply(sealed, same)), cwd)
            assert variants.share_earned(visible) < 1, f"secret {i}: no visible test catches {m.name!r}"
    assert applied >= 0.9 * len(SECRETS) * len(mistakes)


# ---- sealed checks (issue 19): Validate passes an answer exactly when the hidden tests give it full marks --------

def _function_mutant(nb: nbformat.NotebookNode, wrong: dict[str, str]) -> str:
    """The model staging function of ``nb`` with some of its results replaced (``wrong``: stage -> stage)."""
    model = _cell(nb, "q4_function").replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
    return (model + "\n\n_model_stage = aaoms_stage\n\n\ndef aaoms_stage(*args, **kwargs):\n"
            f"    out = _model_stage(*args, **kwargs)\n    return {wrong!r}.get(out, out)\n")


def _submissions(nb: nbformat.NotebookNode, v: ps2.Variant | None) -> list[wrong_submissions.Mistake]:
    """Answers to every autograded question: each Part B patient given each stage code (all of them at once,
    then well-formed codes against the other cells' model answers), Patient A's criterion 2 either way, and
    staging functions that return a wrong stage wherever the model returns one stage (every ordered pair)."""
    labels = v.labels if v is not None else [f"Patient {k}" for k in range(1, 9)]
    model = _answer(nb, "q2_stages", "stages")
    criteria = _answer(nb, "q1_criteria", "criteria_patient_a")
    out = []
    for code in STAGES:
        out.append({"q2_stages": "stages = " + repr(dict.fromkeys(labels, code))})
        for label in labels:
            if model[label] != code:
                out.append({"q2_stages": "stages = " + repr({**model, label: code})})
    for flag in (True, False):
        out.append({"q1_criteria": "criteria_patient_a = " + repr({**criteria, "exposed_bone_over_8_weeks": flag})})
    for a, b in itertools.permutations(STAGES, 2):
        out.append({"q4_function": _function_mutant(nb, {a: b})})
    out.append({"q4_function": _function_mutant(nb, {"0": "at_risk", "at_risk": "0", "1": "2", "2": "1"})})
    return [wrong_submissions.Mistake(f"probe {k}", "", r, {}, 0) for k, r in enumerate(out)]


@pytest.mark.slow
@pytest.mark.parametrize("i", [None, 0, 5, 10, 15])
def test_sealed_checks_pass_exactly_the_answers_the_hidden_tests_grade_right(i: int | None, cwd: Path) -> None:
    """For every stage code in every Part B cell, criterion 2 either way, and staging functions wrong on one stage
    at a time: a test cell's visible checks of the sealed notebook (the student's Validate) pass exactly when the
    full test cell (visible checks and hidden tests, as graded) gives full marks. Seals stricter than the hidden
    tests would take points from right answers at grading; looser ones would pass wrong answers at Validate."""
    nb = default_nb() if i is None else drawn(i)[1]
    sealed = sealed_variant(i, cwd)
    assert variants.share_earned(variants.score(_visible_only(sealed), cwd)) == 1.0
    disagree, probed_wrong = [], 0
    for m in _submissions(nb, None if i is None else drawn(i)[0]):
        graded = variants.score(wrong_submissions.apply(nb, m), cwd)
        validate = variants.score(_visible_only(wrong_submissions.apply(sealed, m)), cwd)
        for gid, (earned, possible) in graded.items():
            if (earned == possible) != (validate[gid][0] == validate[gid][1]):
                disagree.append((gid, m.replace))
            probed_wrong += earned < possible
    assert disagree == [], disagree[:3]
    assert probed_wrong > 100  # the probes do reach wrong answers


def _rules_stage(case: Case) -> str:
    """The case contract's staging order (docs/case_contract.md), written out independently of the engine."""
    f = case.findings
    antiresorptive = any(drug_catalogue()[m.drug]["antiresorptive"] and (m.months > 0 or m.current)
                         for m in case.medications)
    lesion = f.exposed_bone or f.fistula_probes_to_bone
    if not antiresorptive or case.jaw_radiotherapy or case.jaw_metastasis or (lesion and f.weeks_persisting <= 8):
        return "not_mronj"
    feature = any(getattr(f, code) for code in STAGE3_FINDINGS)
    if not lesion:
        return "0" if (f.nonspecific or f.pain or f.infection or feature) else "at_risk"
    return "3" if feature else "2" if (f.pain or f.infection) else "1"


def test_clinical_keys_are_the_engines_and_obey_the_case_contract() -> None:
    for i in range(len(SECRETS)):
        v, nb = drawn(i)
        stages = _answer(nb, "q2_stages", "stages")
        assert list(stages) == v.labels and len(set(p.kind for p in v.patients)) == 8
        for label, patient in zip(v.labels, v.patients, strict=True):
            engine = stage(patient.case)
            assert stages[label] == engine.stage == _rules_stage(patient.case) == patient.answer, (i, label)
            assert f"assert given == {engine.stage!r}" in _cell(nb, f"q2_patient{v.labels.index(label) + 1}_tests") \
                or patient.kind == "antiangiogenic"
            if patient.kind == "antiangiogenic":  # both readings taught: AAOMS 2022 and MASCC/AAOMS 2014
                assert engine.stage_if_antiangiogenic_counts in ("1", "2")
            f = patient.case.findings
            if not (f.exposed_bone or f.fistula_probes_to_bone) and (f.nonspecific or f.pain or f.infection):
                assert engine.stage == "0"  # symptoms without exposed bone: stage 0, never at risk
        for k, patient in enumerate(v.patients, start=1):  # each key also rests on its patient's drugs
            meta = next(c for c in nb.cells if variants._cell_name(c) == f"q2_patient{k}_tests").metadata
            assert meta["osteonecrosis"]["knowledge"] == [*ps2.STAGING_KNOWLEDGE, *(
                f"drugs.yaml#{d}" for d in sorted({m.drug for m in patient.case.medications}))]
        a = v.patient_a
        criteria = _answer(nb, "q1_criteria", "criteria_patient_a")
        assert criteria == a.criteria
        assert criteria["drug_exposure"] == any(drug_catalogue()[m.drug]["antiresorptive"]
                                                for m in a.case.medications)
        assert criteria["exposed_bone_over_8_weeks"] == (a.case.findings.weeks_persisting > 8)
        assert criteria["jaw_radiotherapy_or_metastasis"] == (a.case.jaw_radiotherapy or a.case.jaw_metastasis)
        assert not (criteria["drug_exposure"] and criteria["exposed_bone_over_8_weeks"])  # A fails criterion 1 or 2
        assert stage(a.case).stage == "not_mronj"


def test_library_keys_of_part_c_are_the_engines_in_the_variants_form() -> None:
    for i in range(0, len(SECRETS), 3):
        v, nb = drawn(i)
        source = _cell(nb, "q4_library_tests")
        table = eval(source.split("for _label, (_facts, _want) in ", 1)[1].split(".items():", 1)[0])  # noqa: S307
        for (label, (facts, want)), (_cid, case) in zip(table.items(), sorted(library().items()), strict=True):
            assert want == stage(case).stage == _rules_stage(case), label
            assert list(facts) == v.contract.params()
            if v.contract.days:
                assert facts["exposed_bone_days"] == 7 * (case.findings.weeks_persisting
                                                          if facts["exposed_bone_days"] else 0)


def test_the_default_contract_renders_the_committed_library_table() -> None:
    for c in default_nb().cells:
        if (variants._cell_name(c) or "").startswith(("q1_", "q2_patient")) and c.cell_type == "code" \
                and "knowledge" in c.metadata.get("osteonecrosis", {}):
            assert tuple(c.metadata["osteonecrosis"]["knowledge"]) == ps2.STAGING_KNOWLEDGE
    source = _cell(default_nb(), "q4_library_tests")
    assert ps2.library_tests(ps2.DEFAULT_CONTRACT, ps2.DEFAULT_LIBRARY) in source
    assert ps2.library_inputs(ps2.DEFAULT_CONTRACT, ps2.DEFAULT_LIBRARY) in source
    assert ps2.worked_example(ps2.DEFAULT_CONTRACT) in source


def test_variants_pass_the_assignment_checks(tmp_path: Path) -> None:
    """The trust checks of make check on each variant: visible tests give no expected value away, one patient per
    test cell, pointers to real headings, what is checked now and at grading, knowledge entries."""
    for i in range(0, len(SECRETS), 4):
        path = tmp_path / str(i) / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir()
        nbformat.write(drawn(i)[1], str(path))
        assert trust_problems(ASSIGNMENT, read_cells(path), path, assignments=tmp_path / "none") == [], i


def test_an_edited_cell_is_named_not_silently_defaulted() -> None:
    nb = copy.deepcopy(default_nb())
    for c in nb.cells:
        if variants._cell_name(c) == "q2_patient5_tests":
            c.source = c.source.replace("exposed for 6 weeks", "exposed six weeks")
    with pytest.raises(variants.VariantError, match="q2_patient5_tests"):
        variants.apply(nb, drawn(0)[0].swaps)


def test_a_hundred_more_draws_apply_and_keep_the_engines_keys() -> None:
    """Breadth beyond the 20 graded secrets: every situation's drawn case stages as the situation teaches (the
    engine and the contract's rules agree), and every draw applies to the committed notebook."""
    seen: set[tuple[str, str]] = set()
    for seed in range(100):
        v = ps2.variant(random.Random(seed))
        variants.apply(copy.deepcopy(default_nb()), v.swaps, where=f"seed {seed}")
        for patient in v.patients:
            assert patient.answer == _rules_stage(patient.case) in ps2.TEACHES[patient.kind], (seed, patient.kind)
            seen.add((patient.kind, patient.answer))
        assert stage(v.patient_a.case).stage == "not_mronj"
    assert {("fistula", "1"), ("fistula", "2"), ("stopped", "1"), ("stopped", "2")} <= seen
