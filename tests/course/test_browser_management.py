"""Real browser: notebook 05's management exercise in JupyterLab, in Debian's Chromium.

Runs the notebook, ticks the course's standard plan for the first patient (computed from make_plan), presses
'Check my plan' and reads 'Correct'; then ticks 'stop the antiresorptive yourself' and reads 'Not quite'; then
picks stage 3 in the stage menu and reads its table. A missing Chromium fails the test (browser.require_chromium).
"""

from __future__ import annotations

import pytest
from osteonecrosis import library_case
from osteonecrosis.management_cases import MANAGEMENT_CASES, OPTIONS, option_verdicts
from osteonecrosis.plan import make_plan

from tests.support import browser

pytestmark = pytest.mark.browser
NOTEBOOK = "course/05_management.ipynb"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    browser.require_chromium()
    return browser.temp_copy(tmp_path_factory.mktemp("mgmt"), [NOTEBOOK])


def test_notebook_05_exercise_in_jupyterlab(workdir):
    first = MANAGEMENT_CASES[0]
    case = library_case(first)
    standard = [o for o, v in option_verdicts(make_plan(case), case).items() if v.verdict == "expected"]
    with browser.jupyter_lab(workdir) as lab, browser.chromium() as page:
        browser.open_notebook(page, lab, NOTEBOOK)
        try:
            browser.run_all_cells(page)
            exercise = page.locator(".osteo-management-exercise").first
            exercise.wait_for(timeout=120_000)
            card = exercise.locator(".widget-vbox", has_text="Patient 1:").first
            for option in standard:
                card.get_by_text(OPTIONS[option], exact=True).click()
            card.get_by_role("button", name="Check my plan").click()
            card.locator(".widget-html", has_text="Correct.").first.wait_for(timeout=60_000)
            assert "1 of 5" in exercise.inner_text()
            card.get_by_text(OPTIONS["stop_drug"], exact=True).click()
            card.get_by_role("button", name="Check my plan").click()
            card.locator(".widget-html", has_text="Not quite.").first.wait_for(timeout=60_000)
            menu = page.locator(".widget-dropdown", has_text="Stage").locator("select").first
            menu.select_option(label="Stage 3")
            page.get_by_text("Stage 3: three positions").first.wait_for(timeout=60_000)
        finally:
            browser.screenshot(page, "notebook05-jupyterlab")
