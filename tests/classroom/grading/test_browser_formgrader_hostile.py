"""The instructor opens a hostile submission in a real formgrader, in Debian's Chromium, and nothing runs.

A course made with nbgrader's own commands (the course's nbgrader_config.py, a real assignment), three students:
alice and carol hand in the solution, mallory hands in the solution plus every payload of the rendering corpus
(tests/adversarial/corpus_render.py): markdown cells, a written answer wrapped in formgrader's own classes,
tags, and a cell whose outputs carry the payloads, one of them an image whose metadata width is
``1 onerror=<click every Full credit button>``. After ``nbgrader autograde``, the instructor goes the way a person
does: JupyterLab's Nbgrader menu > Formgrader > Manage Assignments > the number of submissions > mallory >
the notebook, reads the page and clicks on mallory's written answer. No payload may run (``window.__pwned``), no
request may leave for the attacker's host, formgrader may send no grade, and every grade in the gradebook stays
as it was. Then ``nbgrader generate_feedback`` writes mallory's feedback, which Chromium opens with the same
result. A last control clicks formgrader's own Full credit button: that does send a grade, so the checks above
would have seen one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from classroom.grading.guards import render_sanitise
from nbgrader.preprocessors import GetGrades
from traitlets.config import Config

from tests.adversarial.corpus_render import JPEG, PNG, RENDER_CASES, RUN
from tests.support import browser
from tests.support.nbgrader_course import NbgraderCourse

pytestmark = [pytest.mark.browser, pytest.mark.nbgrader]

ASSIGNMENT = "ps2_diagnosis_and_staging"
STUDENTS = ["alice", "carol", "mallory"]
CLICK_EVERY_FULL_CREDIT = RUN + ";[].forEach.call(document.querySelectorAll('.full-credit'),function(b){b.click()})"


def hostile(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solution with every rendering payload added where a student can put it."""
    nb = copy.deepcopy(solution)
    written = next(c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade"))
    case = {c.name: c for c in RENDER_CASES}
    written.source = case["full_credit_class"].written + "\n\n" + written.source
    answer = next(c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))
    answer.metadata["tags"] = list(case["celltag_class"].tags)
    nb.cells[:0] = [nbformat.v4.new_markdown_cell(md) for c in RENDER_CASES for md in c.markdown]
    lines = ["import json", "from IPython.display import display"]
    outputs = [o for c in RENDER_CASES for o in c.outputs]
    outputs.append({"data": {"image/png": PNG},
                    "metadata": {"image/png": {"width": f"1 onerror={CLICK_EVERY_FULL_CREDIT}"}}})
    outputs.append({"data": {"image/jpeg": JPEG},
                    "metadata": {"image/jpeg": {"height": f"1 onerror={CLICK_EVERY_FULL_CREDIT}"}}})
    for out in outputs:
        lines.append(f"display(json.loads({json.dumps(out['data'])!r}), "
                     f"metadata=json.loads({json.dumps(out.get('metadata', {}))!r}), raw=True)")
    nb.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    return nb


def grades(course: NbgraderCourse) -> dict[tuple[str, str], tuple]:
    with course.gradebook() as gb:
        return {(sub.student.id, g.name): (g.auto_score, g.manual_score, g.extra_credit)
                for sub in gb.find_assignment(ASSIGNMENT).submissions for nb in sub.notebooks for g in nb.grades}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> NbgraderCourse:
    browser.require_chromium()
    course = NbgraderCourse(tmp_path_factory.mktemp("formgrader-hostile"), [ASSIGNMENT])
    course.generate()
    course.add_students(STUDENTS)
    solution = nbformat.read(str(course.solution_notebook(ASSIGNMENT)), as_version=4)
    for student in ("alice", "carol"):
        course.submit(ASSIGNMENT, student, solution)
    course.submit(ASSIGNMENT, "mallory", hostile(solution))
    course.autograde(ASSIGNMENT)
    return course


def _watch(page) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"attacker": [], "grade_writes": [], "errors": []}
    page.on("request", lambda r: seen["attacker"].append(r.url) if "attacker.invalid" in r.url else None)
    page.on("request", lambda r: seen["grade_writes"].append(f"{r.method} {r.url}")
            if r.method in ("PUT", "POST") and "/formgrader/api/" in r.url else None)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    return seen


def _submission_frame(page):
    for frame in page.frames:
        if "/formgrader/submissions/" in frame.url:
            return frame
    return None


def test_instructor_opens_the_hostile_submission_and_nothing_runs(course: NbgraderCourse) -> None:
    before = grades(course)
    assert any(s == "mallory" for s, _ in before), "mallory's submission is in the gradebook"
    with browser.jupyter_lab(root=course.root) as lab, browser.chromium() as page:
        seen = _watch(page)
        page.goto(lab.url("lab?reset"))
        page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Formgrader").first.click()
        frame = page.frame_locator("iframe").first
        frame.locator("text=Manage Assignments").first.wait_for(timeout=90_000)
        frame.locator(f"a[href$='/formgrader/manage_submissions/{ASSIGNMENT}']").first.click()
        frame.locator("a", has_text="Test, mallory").first.click()
        frame.locator("a[href*='/formgrader/submissions/']", has_text=ASSIGNMENT).first.click()
        frame.locator("#notebook-container .nbgrader_cell").first.wait_for(state="attached", timeout=90_000)
        page.wait_for_load_state("networkidle")
        sub = _submission_frame(page)
        assert sub is not None, [f.url for f in page.frames]
        sub.wait_for_function("() => document.readyState === 'complete'")
        # formgrader's own script ran (the grading controls are live) ...
        assert sub.evaluate("() => typeof window.jQuery === 'function' && document.querySelectorAll("
                            "'button.full-credit').length > 0")
        # ... and nothing of mallory's did
        assert sub.evaluate("() => window.__pwned") is None, "a payload ran in formgrader"
        assert seen["grade_writes"] == [], f"opening the page sent grades: {seen['grade_writes']}"
        assert grades(course) == before, "opening the page changed grades"
        frame.locator("text=My written answer").first.click()  # the instructor reads, and clicks in the answer
        frame.locator("text=My written answer").first.hover()
        page.wait_for_load_state("networkidle")
        assert sub.evaluate("() => window.__pwned") is None
        assert seen["grade_writes"] == [], seen["grade_writes"]
        assert seen["attacker"] == [], seen["attacker"]
        assert grades(course) == before
        browser.screenshot(page, "formgrader_hostile_submission")

        # control: formgrader's own Full credit button does send a grade, which the checks above would have seen
        button = sub.locator(".nbgrader_cell button.full-credit").first
        button.click()
        page.wait_for_load_state("networkidle")
        assert seen["grade_writes"], "clicking formgrader's own Full credit button sent no grade"
        assert sub.evaluate("() => window.__pwned") is None


def _open_feedback(html: Path) -> None:
    text = html.read_text()
    assert "<script" not in text.lower() and "Content-Security-Policy" in text
    with browser.chromium() as page:
        seen = _watch(page)
        blocked = browser.block_network(page)
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        page.locator("text=My written answer").first.click()
        page.locator("text=My written answer").first.hover()
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => document.scripts.length") == 0
        assert [u for u in blocked if not u.startswith("file:")] == []
        assert seen["attacker"] == []


def test_feedback_of_the_hostile_submission_runs_nothing(course: NbgraderCourse) -> None:
    """Both feedback writers: nbgrader's generate_feedback (routed by nbgrader_config.py) and the course's own
    exporter (render_sanitise.feedback_exporter, the one classroom.grading.submission writes feedback with)."""
    course.run("generate_feedback", ASSIGNMENT, "--student", "mallory", "--force")
    html = Path(course.root, "feedback", "mallory", ASSIGNMENT, f"{ASSIGNMENT}.html")
    assert html.is_file(), course.logs
    _open_feedback(html)

    exporter = render_sanitise.feedback_exporter(Config())
    exporter.register_preprocessor(GetGrades(), enabled=True)
    resources = {"nbgrader": {"notebook": ASSIGNMENT, "assignment": ASSIGNMENT, "student": "mallory",
                              "db_url": f"sqlite:///{course.root / 'gradebook.db'}"},
                 "metadata": {"path": str(course.root)}}
    body, _ = exporter.from_notebook_node(course.autograded_notebook(ASSIGNMENT, "mallory"), resources=resources)
    own = Path(course.root, "own-feedback.html")
    own.write_text(body, encoding="utf-8")
    _open_feedback(own)
