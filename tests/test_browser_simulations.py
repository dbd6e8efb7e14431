"""Real browser: notebook 08 in JupyterLab and the simulators app in Voila, in Debian's Chromium.

Each moves a control of the virtual patient and of the cohort lab and checks the displayed output changed;
screenshots go to test-artifacts/ (git-ignored). In CI a missing Chromium fails these tests.
"""

from __future__ import annotations

import pytest

from tests.support import browser

pytestmark = pytest.mark.browser
NOTEBOOK = "course/08_case_simulations.ipynb"
APP = "course/app/simulators.ipynb"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    browser.require_chromium()
    return browser.temp_copy(tmp_path_factory.mktemp("sim"), [NOTEBOOK, APP])


def _widget(page, title: str):
    return page.locator(".osteo-widget", has_text=title).first


def _exercise(page, name: str) -> None:
    try:
        _move_controls(page)
    finally:
        browser.screenshot(page, name)


def _move_controls(page) -> None:
    vp = _widget(page, "Virtual patient: decide")
    vp.wait_for(timeout=120_000)
    status = vp.locator(".widget-html", has_text="Week").first
    before = status.inner_text()
    vp.get_by_role("button", name="Decide").click()
    page.wait_for_function("([el, old]) => el.innerText !== old", arg=[status.element_handle(), before],
                           timeout=60_000)
    assert vp.locator(".osteo-advice").first.inner_text().strip()
    assert "Sources:" in vp.locator(".osteo-advice").first.inner_text()

    cohort = _widget(page, "Cohort lab:")
    description = cohort.locator(".osteo-description").first
    description.wait_for(timeout=60_000)
    old = description.inner_text()
    box = cohort.locator(".widget-text", has_text="Patients").locator("input").first
    box.fill("2500")
    box.press("Enter")
    page.wait_for_function("([el, old]) => el.innerText !== old && el.innerText.includes('2,500')",
                           arg=[description.element_handle(), old], timeout=60_000)
    assert "Teaching model, not a clinical predictor" in page.inner_text("body")


def test_notebook_08_in_jupyterlab(workdir):
    with browser.jupyter_lab(workdir) as lab, browser.chromium() as page:
        browser.open_notebook(page, lab, NOTEBOOK)
        browser.run_all_cells(page)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
        assert not tracebacks, tracebacks[:1]
        _exercise(page, "notebook08-jupyterlab")


def test_simulators_app_in_voila(workdir):
    with browser.voila(workdir / APP, cwd=workdir) as app, browser.chromium() as page:
        page.goto(app.url(""), timeout=180_000)
        _exercise(page, "simulators-voila")
        assert "widgets.virtual_patient" not in page.inner_text("body")    # code hidden
