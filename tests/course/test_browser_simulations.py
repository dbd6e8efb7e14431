"""Real browser: notebook 08 in JupyterLab and the simulators app in Voila, in Debian's Chromium.

Each moves a control of the virtual patient and of the cohort lab and checks the displayed output changed;
screenshots go to test-artifacts/ (git-ignored). In CI a missing Chromium fails these tests.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT
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


# ----------------------------------------------------------------------------- the app at classroom widths
SLIDER_LAYOUT_JS = """(box) => [...box.querySelectorAll('.widget-slider')].map(s => {
    const r = s.getBoundingClientRect();
    const track = s.querySelector('.noUi-target, .slider-container').getBoundingClientRect();
    const readout = s.querySelector('.widget-readout').getBoundingClientRect();
    const label = s.querySelector('.widget-label').getBoundingClientRect();
    return {label: s.querySelector('.widget-label').textContent, track: track.width,
            readoutInside: readout.right <= r.right + 1 && readout.left >= track.right - 1,
            labelWhole: label.width + 1 >= s.querySelector('.widget-label').scrollWidth};
})"""



@pytest.fixture(scope="module")
def app(workdir):
    with browser.voila(workdir / APP, cwd=workdir) as server:
        yield server


@pytest.mark.parametrize("width", [1300, 1920])
def test_app_sliders_drag_with_the_mouse_and_texts_fit(app, width):
    """Each slider of the app has a track, a whole label and its readout inside its own box; dragging its
    handle with the mouse changes the figure. No dropdown, check box or label text is cut."""
    with browser.chromium(viewport=(width, 1000)) as page:
        page.goto(app.url(""), timeout=180_000)
        cohort = _widget(page, "Cohort lab:")
        cohort.locator(".osteo-description").first.wait_for(timeout=120_000)
        layout = page.evaluate(SLIDER_LAYOUT_JS, cohort.element_handle())
        assert len(layout) == 2, layout
        for s in layout:
            assert s["track"] >= 150, s
            assert s["readoutInside"] and s["labelWhole"], s
        for box in page.locator(".osteo-widget").all():
            assert page.evaluate(browser.CUT_TEXT_JS, box.element_handle()) == []
        image = cohort.locator("img.osteo-figure").first
        for i, slider in enumerate(cohort.locator(".widget-slider").all()):
            readout = slider.locator(".widget-readout").first
            before_value, before_src = readout.inner_text(), image.get_attribute("src")
            browser.drag_slider(page, slider, 0.85 if i == 0 else 0.1)
            page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                                   arg=[image.element_handle(), before_src], timeout=60_000)
            assert readout.inner_text() != before_value
        vp = _widget(page, "Virtual patient: decide")
        assert "week 0" in vp.locator(".osteo-description").first.inner_text().lower() or \
            "dot at this week" in vp.locator(".osteo-description").first.inner_text()
        vp.get_by_role("button", name="Decide").click()
        vp.get_by_role("button", name="Debrief").click()
        debrief = vp.locator("table.osteo-debrief")
        debrief.wait_for(timeout=60_000)
        assert " 1 weeks" not in vp.inner_text()
        browser.save_png(page, f"app-{width}px")
        browser.save_png(vp, f"app-{width}px-virtual-patient")
        browser.save_png(cohort, f"app-{width}px-cohort-lab")


NEWS_PROMPT = "get notified about official Jupyter news"


def test_jupyterlab_does_not_ask_students_about_news(tmp_path):
    """`make setup` installs the course's settings override: JupyterLab neither fetches news nor asks about it
    (served here without the tests' own --LabApp.news_url= switch, as a student's `make lab` is)."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    ours = json.loads((ROOT / "course" / "app" / "lab-overrides.json").read_text(encoding="utf-8"))
    assert installed.is_file(), "make setup did not install the JupyterLab settings override"
    assert json.loads(installed.read_text(encoding="utf-8")) == ours
    with browser.jupyter_lab(tmp_path, quiet_news=False) as lab:
        url = lab.url("lab/api/settings/@jupyterlab/apputils-extension:notification")
        with urllib.request.urlopen(url, timeout=30) as resp:
            schema = json.load(resp)["schema"]["properties"]
        assert schema["fetchNews"]["default"] == "false" and schema["checkForUpdates"]["default"] is False
        with browser.chromium() as page:
            page.goto(lab.url("lab"))
            page.wait_for_selector(".jp-LauncherCard, #jp-main-dock-panel", timeout=120_000)
            page.wait_for_timeout(5000)  # the prompt is a toast shown shortly after start-up
            assert NEWS_PROMPT not in page.inner_text("body")
