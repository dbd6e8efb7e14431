"""The variant core: seeds from the course secret, swaps applied to named cells, clear errors."""

import nbformat
import pytest
from classroom.authoring import variants
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
