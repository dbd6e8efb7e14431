"""nbgrader in a real JupyterLab, in Debian's Chromium: a student runs an assignment's visible tests from the
notebook; an instructor opens the Create Assignment panel and the formgrader. Uses tests/support/browser.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from classroom.authoring import wrong_submissions
from classroom.authoring.assignment_model import assignment_ids
from classroom.grading.validate_message import PASSED

from tests.conftest import ASSIGNMENTS, ROOT, SOLUTIONS
from tests.support import browser

pytestmark = pytest.mark.browser

ASSIGNMENT = "ps2_diagnosis_and_staging" if (SOLUTIONS / "ps2_diagnosis_and_staging").is_dir() else \
    (assignment_ids(SOLUTIONS) or ["none"])[0]
ANSWERED = "answered.ipynb"
WRONG = "one_wrong_stage.ipynb"


def _answered_copy(dest: Path) -> None:
    """The student version with every answer filled in from the solution (what a student who has done the
    work has), so that running all cells runs every visible test."""
    release = nbformat.read(str(ASSIGNMENTS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    solution = nbformat.read(str(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    # Written answers too: nbgrader's Validate reports an untouched "YOUR ANSWER HERE" as a failure.
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    filled = wrong_submissions.apply(release, wrong_submissions.Mistake("answered", "", answers, {}, 0))
    nbformat.write(filled, str(dest / "assignments" / ASSIGNMENT / ANSWERED))
    # The same work with the corpus's first mistake (one a visible test catches, with a pointer).
    mistake = wrong_submissions.load(ASSIGNMENT)[0]
    nbformat.write(wrong_submissions.apply(filled, mistake), str(dest / "assignments" / ASSIGNMENT / WRONG))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    browser.require_chromium()
    root = tmp_path_factory.mktemp("lab-nbgrader")
    for name in ("assignments", "solutions"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy2(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    _answered_copy(root)
    with browser.jupyter_lab(root=root) as server:
        server.course_root = root
        yield server


CELLS_JS = """() => {
    const nb = window.jupyterapp.shell.currentWidget.content.model;
    const out = [];
    for (let i = 0; i < nb.cells.length; i++) {
        const c = nb.cells.get(i);
        const meta = (c.getMetadata && c.getMetadata('nbgrader')) || {};
        const errors = [];
        if (c.type === 'code') {
            for (let j = 0; j < c.outputs.length; j++) {
                const o = c.outputs.get(j).toJSON();
                if (o.output_type === 'error') errors.push(o.ename);
            }
        }
        out.push({type: c.type, grade_id: meta.grade_id || null, grade: !!meta.grade,
                  count: c.type === 'code' ? c.executionCount : null, errors: errors});
    }
    return out;
}"""


def test_student_runs_visible_tests_in_the_notebook(lab) -> None:
    with browser.chromium() as page:
        browser.open_notebook(page, lab, f"assignments/{ASSIGNMENT}/{ANSWERED}")
        browser.run_all_cells(page)
        # JupyterLab renders only the cells in view: read what ran from the notebook model.
        cells = page.evaluate(CELLS_JS)
        tests = [c for c in cells if c["grade"] and c["type"] == "code"]
        assert tests and all(c["count"] for c in tests), f"not every visible test cell ran: {tests}"
        failed = [(c["grade_id"], c["errors"]) for c in tests if c["errors"]]
        assert not failed, f"visible tests failed in the browser: {failed}"
        # The same notebook unanswered: the first test fails with the stub's teaching message.
        # Run-all stops at the first error, so wait for an error rather than for every cell to run.
        browser.open_notebook(page, lab, f"assignments/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        page.locator(".jp-Notebook:visible").first.click()
        browser.run_command(page, "notebook:run-all-cells")
        page.wait_for_function(f"() => ({CELLS_JS})().some(c => c.errors.length > 0)", timeout=300_000)
        browser.wait_kernel_idle(page, 300_000)
        enames = [e for c in page.evaluate(CELLS_JS) for e in c["errors"]]
        assert enames and set(enames) == {"NotImplementedError"}, f"unanswered notebook errors: {enames}"


def test_create_assignment_panel_and_formgrader_open(lab) -> None:
    with browser.chromium() as page:
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        browser.open_notebook(page, lab, f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        browser.run_command(page, "nbgrader:open-create-assignment")
        page.wait_for_selector(".nbgrader-CellWidget, .nbgrader-NotebookPanelWidget, [id*=nbgrader]",
                               timeout=60_000)
        widgets = page.locator(".nbgrader-CellWidget").count()
        assert widgets > 0, "the Create Assignment panel shows no cell toolbar"
        browser.run_command(page, "nbgrader:open-formgrader")
        frame = page.frame_locator("iframe").first
        frame.locator("text=Manage Assignments").first.wait_for(timeout=90_000)
        frame.locator(f"text={ASSIGNMENT}").first.wait_for(timeout=90_000)  # listed from solutions/
        assert not problems, f"JavaScript errors: {problems}"


def test_validate_button_says_visible_tests_are_not_the_grade(lab) -> None:
    """JupyterLab's Validate dialog, on work that passes every visible test, says the course's sentence
    (classroom.grading.validate_message.PASSED) and not nbgrader's fixed "Success! Your notebook passes all the
    tests."; on work with a mistake a visible test catches, it shows that test's message."""
    with browser.chromium() as page:
        browser.open_notebook(page, lab, f"assignments/{ASSIGNMENT}/{ANSWERED}")
        seen = browser.validate(page)
        assert seen is not None and "validation-success" in seen["classes"], seen
        assert seen["before"].strip('"') == PASSED.strip(), f"dialog text: {seen['before']}"
        assert not seen["success_shown"], "nbgrader's 'Success!' is still shown"
        browser.save_png(page.locator(".jp-Dialog-content").first, "validate_visible_tests_passed")
        page.keyboard.press("Escape")
        page.wait_for_selector("#validation-message", state="detached", timeout=30_000)

        browser.open_notebook(page, lab, f"assignments/{ASSIGNMENT}/{WRONG}")
        seen = browser.validate(page)
        assert seen is not None and "validation-failed" in seen["classes"], seen
        assert seen["before"] in ("none", "normal", ""), "the passed sentence shows on failed work"
        assert re.search(r"\(notebook \d\d, '[^']+'\)", seen["text"]), f"no pointer: {seen['text'][:400]}"
