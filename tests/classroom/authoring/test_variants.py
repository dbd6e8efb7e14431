"""The variant core: seeds from the course secret, swaps applied to named cells, clear errors."""

import hashlib
import itertools

import nbformat
import pytest
from classroom.authoring import variant_release, variants
from classroom.authoring.variants import Swap, VariantError


def _nb() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Take 4.28 as the relative risk."),
                nbformat.v4.new_code_cell("x = None", metadata={"nbgrader": {"grade_id": "q8_answer"}}),
                nbformat.v4.new_code_cell("assert abs(x - 4.28) < 0.05",
                                          metadata={"nbgrader": {"grade_id": "q8_tests"}})]
    return nb


def test_seed_depends_on_secret_and_assignment() -> None:
    a = variants.seed_for(b"s" * 20, "ps1_drugs_and_risk")
    assert a == variants.seed_for(b"s" * 20, "ps1_drugs_and_risk")
    assert a != variants.seed_for(b"t" * 20, "ps1_drugs_and_risk")
    assert a != variants.seed_for(b"s" * 20, "ps2_diagnosis_and_staging")


def test_no_secret_is_the_default_variant(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(variants.SECRET_ENV, str(tmp_path / "absent"))
    assert variants.read_secret() is None
    assert variants.draw("ps1_drugs_and_risk", None) == []


def test_short_secret_refused_in_one_line(tmp_path) -> None:
    path = tmp_path / "secret"
    path.write_text("short\n")
    with pytest.raises(VariantError, match="shorter than 16 bytes"):
        variants.read_secret(path)


def test_swaps_named_cells_and_every_cell() -> None:
    nb = variants.apply(_nb(), [Swap("4.28", "3.1")])
    assert "3.1" in nb.cells[0].source and "3.1" in nb.cells[2].source
    nb = variants.apply(_nb(), [Swap("4.28", "2.5", cells=("q8_tests",), knowledge=("risk.yaml#x",))])
    assert "4.28" in nb.cells[0].source and "2.5" in nb.cells[2].source
    assert nb.cells[2].metadata["osteonecrosis"]["knowledge"] == ["risk.yaml#x"]


def test_an_edited_cell_names_the_cell_and_literal() -> None:
    with pytest.raises(VariantError, match="'q8_tests' no longer holds '9.99'"):
        variants.apply(_nb(), [Swap("9.99", "1", cells=("q8_tests",))])
    with pytest.raises(VariantError, match="'q9_tests' not found"):
        variants.apply(_nb(), [Swap("4.28", "1", cells=("q9_tests",))])


def test_score_and_answers_of_another_variant(tmp_path) -> None:
    default = _nb()
    default.cells[1].metadata["nbgrader"].update(solution=True, grade=False)
    default.cells[1].source = "x = 4.28"
    default.cells[2].metadata["nbgrader"].update(solution=False, grade=True, points=2)
    assert variants.score(default, tmp_path) == {"q8_tests": (2.0, 2.0)}
    other = variants.apply(_nb_copy(default), [Swap("4.28", "3.1")])
    assert variants.score(other, tmp_path) == {"q8_tests": (2.0, 2.0)}
    crossed = variants.with_answers_of(default, other)
    assert variants.share_earned(variants.score(crossed, tmp_path)) == 0.0


def _nb_copy(nb):
    import copy
    return copy.deepcopy(nb)


# ---- every assignment that has a draw module (ps1 now; ps2-ps5 when their modules land) -------------------

DRAWN = variant_release.drawn_assignments()
SECRETS = [hashlib.sha256(f"test-secret-{i}".encode()).hexdigest().encode() for i in range(20)]


def test_rename_never_replaces_a_new_text_twice() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("a = ['alendronate', 'zoledronate']",
                                          metadata={"nbgrader": {"grade_id": "q1"}})]
    swaps = variants.rename([("'alendronate'", "'zoledronate'"), ("'zoledronate'", "'risedronate'")], ("q1",),
                            knowledge=("drugs.yaml#risedronate",))
    variants.apply(nb, swaps)
    assert nb.cells[0].source == "a = ['zoledronate', 'risedronate']"
    assert nb.cells[0].metadata["osteonecrosis"]["knowledge"] == ["drugs.yaml#risedronate"]
    assert variants.translate("x = 'alendronate'", "q1", swaps) == "x = 'zoledronate'"


def test_share_differing_counts_points_of_changed_test_cells() -> None:
    a = _nb()
    a.cells[2].metadata["nbgrader"].update(grade=True, solution=False, points=2)
    b = variants.apply(_nb_copy(a), [Swap("4.28", "3.1", cells=("q8_tests",))])
    assert variants.share_differing(a, a) == 0.0
    assert variants.share_differing(a, b) == 1.0


@pytest.mark.parametrize("assignment_id", DRAWN)
def test_a_few_variants_apply_and_keep_full_marks(assignment_id: str) -> None:
    """Fast tier: three classes' variants apply, earn full marks with their own model answers, and differ from
    the default and from each other in at least 80% of the autograded points."""
    default = variant_release.source(assignment_id)
    made = [variant_release.variant(assignment_id, s) for s in SECRETS[:3]]
    for v in made:
        assert variants.share_differing(default, v) >= 0.8
        assert variants.share_earned(variants.score(v, variant_release.SOLUTIONS / assignment_id)) == 1.0
    assert all(variants.share_differing(a, b) > 0 for a, b in itertools.combinations(made, 2))


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", DRAWN)
def test_twenty_secrets(assignment_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 22's measures on 20 secrets: every variant applies and earns full marks with its model answers;
    the default's model answers earn at most 20% on each; each variant differs from the public default in at
    least 80% of the points, and two classes' variants in at least 80% on average (the lowest pair is printed:
    where the knowledge base offers few choices, e.g. ps1's two drugs with both an osteoporosis and a cancer
    regimen, two classes can share a few keys)."""
    spread = variant_release.measure(assignment_id, SECRETS)
    with capsys.disabled():
        print("\n" + spread.line())
    assert spread.min_solution == 1.0
    assert spread.max_default_earned <= 0.2
    assert spread.min_vs_default >= 0.8
    assert spread.mean_between >= 0.75  # per assignment; the course-wide measure is test_two_classes_differ_...


@pytest.mark.slow
def test_two_classes_differ_in_at_least_80_percent_of_the_courses_autograded_points(capsys) -> None:
    """Issue 22's measure over the whole course (ps1-ps5, every autograded point): for two different secrets,
    the share of points whose test cell (visible checks, hidden expected values) differs. Over the 190 pairs
    of 20 secrets: at least 80% on average and for at least 95% of the pairs."""
    cells = {a: [variants.test_cells(variant_release.variant(a, s)) for s in SECRETS] for a in DRAWN}
    total = sum(p for a in DRAWN for _, p in cells[a][0].values())
    shares = []
    for i, j in itertools.combinations(range(len(SECRETS)), 2):
        differ = sum(p for a in DRAWN for gid, (src, p) in cells[a][i].items()
                     if cells[a][j].get(gid, ("", 0))[0] != src)
        shares.append(differ / total)
    mean, low = sum(shares) / len(shares), min(shares)
    at_least = sum(s >= 0.8 for s in shares) / len(shares)
    with capsys.disabled():
        print(f"\ncourse ({total:g} autograded points, {len(DRAWN)} problem sets): two classes differ in "
              f"{mean:.0%} of the points on average, lowest pair {low:.0%}, {at_least:.0%} of pairs at 80% or more")
    assert set(DRAWN) == set(variant_release.drawn_assignments()) and len(DRAWN) == 5
    assert mean >= 0.8 and at_least >= 0.95


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", DRAWN)
def test_make_check_passes_on_class_variants(assignment_id: str) -> None:
    """What `make check` checks on a class's variant (cells, knowledge literals, pointers, full marks, blank zero,
    every wrong submission losing points), on five secrets; the seal agreement on the first (it runs the model
    answers in a kernel; test_seal_agreement.py measures two more variants)."""
    for i, secret in enumerate(SECRETS[:5]):
        line, problems = variant_release.variant_problems(assignment_id, secret, agreement=i == 0)
        assert problems == [], line
        assert line.endswith("OK")


def test_a_wrong_submission_that_is_the_variants_own_answer_is_recognised() -> None:
    """A default's mistake can be a variant's key (the other regimen asked for): recognised by its code, the
    whole cell or the solution region, comments and layout aside; any other code is still a mistake."""
    from classroom.authoring.wrong_submissions import Mistake

    nb = _nb()
    nb.cells[1].source = "x = None\n### BEGIN SOLUTION\nx = 4 * 84  # the 12-weekly schedule\n### END SOLUTION"
    assert variant_release.is_the_key(nb, Mistake("takes 84 days", "", {"q8_answer": "x = 4*84"}, {}, 0))
    assert variant_release.is_the_key(nb, Mistake("whole cell", "", {"q8_answer": nb.cells[1].source}, {}, 0))
    assert not variant_release.is_the_key(nb, Mistake("takes 28 days", "", {"q8_answer": "x = 4 * 28"}, {}, 0))
    assert not variant_release.is_the_key(nb, Mistake("same value", "", {"q8_answer": "x = 336"}, {}, 0))
    assert not variant_release.is_the_key(nb, Mistake("no cell", "", {"q9_answer": "x = 4 * 84"}, {}, 0))
    assert not variant_release.is_the_key(nb, Mistake("not Python", "", {"q8_answer": "x = ("}, {}, 0))


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", [a for a in DRAWN if a != "ps5_capstone"])
def test_every_wrong_submission_loses_points_on_forty_class_variants(assignment_id: str) -> None:
    """A class's secret is random (the instructor guide draws a fresh one): on 40 more secrets, every listed wrong
    submission still loses points on the variant, or is that variant's own model answer, and the rest of what
    make check asks of a variant holds (the seal agreement aside: test_make_check_passes_on_class_variants).
    ps5's variant check runs its case engine (12 s a variant): its five secrets there are its measure."""
    for i in range(40):
        secret = hashlib.sha256(f"forty more classes {i}".encode()).digest()
        line, problems = variant_release.variant_problems(assignment_id, secret, agreement=False)
        assert problems == [], line
