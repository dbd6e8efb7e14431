"""A real class on a real JupyterHub, end to end, in Debian's Chromium (issues 9 and 20).

tools/hub/hub.py sets up a hub in a temporary prefix with throw-away unix accounts (one instructor, two
students), PAM login, the shared environment, a private exchange, and the proxy on Debian 12's node (18.20.4);
the test then plays a class through the menus and the terminal a person uses:

0. the instructor types in a JupyterLab terminal (File > New > Terminal, a login shell): grade-class, nbgrader
   and python are the shared environment's, also in a non-login shell started from it;
1. the instructor opens Nbgrader > Formgrader (an iframe inside JupyterLab: the server allows frame-ancestors
   'self' only), generates and releases the assignment;
2. two students log in (no "Jupyter news" prompt), fetch it from the Assignments panel, answer in JupyterLab (one
   right; one submits the blank notebook first, then answers wrong and resubmits), and submit from the panel;
3. the instructor collects in formgrader (formgrader collects with --update, so the resubmission wins), types
   ``grade-class`` in the terminal, gives a manual grade and a comment in formgrader's Manual Grading (inside the
   lab), types ``python -m classroom feedback`` (formgrader's "Generate feedback" is nbgrader's
   ``generate_feedback --force``, which would show hidden tests), and releases feedback in formgrader;
4. each student fetches feedback in the panel and sees their own score, the manual grade and the comment, and no
   hidden test;
5. through the hub, as a student: formgrader is not there, another student's server is refused, and code run
   in the student's own kernel cannot read the gradebook, the solutions, another student's home or the
   exchange's inbound folder.
Scores are read from the gradebook (the trusted side), never from the page alone.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from classroom.authoring import wrong_submissions
from classroom.authoring.assignment_model import BEGIN_HIDDEN, END_HIDDEN, read_cells
from classroom.grading.validate_message import PASSED

from tests.conftest import SOLUTIONS
from tests.support import browser
from tests.support import hub as classhub

pytestmark = [pytest.mark.browser, pytest.mark.nbgrader]

ASSIGNMENT = "ps1_drugs_and_risk"
NEWS_PROMPT = "get notified about official Jupyter news"
COMMENT = "Clear reasoning on the denosumab timing; cite AAOMS 2022 for the stage."


def _answers(mistake: wrong_submissions.Mistake | None) -> dict[str, str]:
    """grade_id -> cell source: the solution's answers (autograded and written), with a mistake applied."""
    solution = nbformat.read(str(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    out = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solution.cells
           if c.metadata.get("nbgrader", {}).get("solution")}
    if mistake is not None:
        out.update(mistake.replace)
    return out


def _clean(source: str) -> str:
    """A solution cell as a student would type it (no nbgrader delimiters)."""
    return "\n".join(ln for ln in source.split("\n") if "### BEGIN SOLUTION" not in ln
                     and "### END SOLUTION" not in ln)


SET_CELLS_JS = """(answers) => {
    const nb = window.jupyterapp.shell.currentWidget.content.model;
    let n = 0;
    for (let i = 0; i < nb.cells.length; i++) {
        const c = nb.cells.get(i);
        const meta = (c.getMetadata && c.getMetadata('nbgrader')) || {};
        if (meta.grade_id && answers[meta.grade_id] !== undefined) {
            c.sharedModel.setSource(answers[meta.grade_id]);
            n++;
        }
    }
    return n;
}"""


def _wait_plugins(page: Any) -> None:
    """Until nbgrader's student plugin has registered its command (JupyterLab activates plugins lazily)."""
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands"
                           " && window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')",
                           timeout=180_000)


def _open_panel(page: Any) -> None:
    _wait_plugins(page)
    browser.run_command(page, "nbgrader:open-assignment-list")
    page.wait_for_selector("#released_assignments_list, #fetched_assignments_list", timeout=60_000)


def _panel_button(page: Any, section: str, label: str) -> Any:
    row = page.locator(f"#{section} .list_item", has_text=ASSIGNMENT).first
    try:
        row.wait_for(timeout=90_000)
        button = row.locator("button", has_text=label).first
        button.wait_for(timeout=30_000)
    except Exception:
        browser.screenshot(page, f"hub-panel-{section}-{label.replace(' ', '_')}")
        raise
    return button


def _student_submits(page: Any, hub: classhub.ClassHub, user: str, answers: dict[str, str] | None,
                     fetch: bool, validate_passes: bool = False) -> None:
    server = classhub.UserServer(hub, user)
    page.goto(server.url("lab?reset"))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=180_000)
    _open_panel(page)
    if fetch:
        _panel_button(page, "released_assignments_list", "Fetch").click()
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=120_000)
    if answers is not None:
        browser.open_notebook(page, server, f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        n = page.evaluate(SET_CELLS_JS, {k: _clean(v) for k, v in answers.items()})
        assert n >= len(answers) - 1, f"{user}: only {n} answer cells found in the fetched notebook"
        browser.run_command(page, "docmanager:save")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=60_000)
        if validate_passes:
            # JupyterLab's Validate button, from the shared environment: the course's sentence, not "Success!".
            seen = browser.validate(page)
            assert seen and "validation-success" in seen["classes"], f"{user}: Validate said {seen}"
            assert seen["before"].strip('"') == PASSED.strip() and not seen["success_shown"], seen
            page.keyboard.press("Escape")
        page.goto(server.url("lab?reset"))
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=180_000)
        _open_panel(page)
    before = _inbound(hub, user)
    _panel_button(page, "fetched_assignments_list", "Submit").click()
    deadline = time.monotonic() + 120
    while _inbound(hub, user) <= before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _inbound(hub, user) > before, f"{user}: the submission did not reach the exchange"
    time.sleep(1.1)  # nbgrader's submission timestamps have one-second names: keep two submissions apart


def _inbound(hub: classhub.ClassHub, user: str) -> int:
    inbound = hub.exchange / "osteonecrosis" / "inbound"
    return len([p for p in inbound.glob(f"{user}+{ASSIGNMENT}+*")]) if inbound.is_dir() else 0


def _menu(page: Any, *labels: str) -> None:
    """Click through JupyterLab's menu bar as a person does: the top menu, then each (sub)menu item."""
    page.locator(".lm-MenuBar-item", has_text=labels[0]).first.click()
    for label in labels[1:]:
        item = page.locator(".lm-Menu:visible .lm-Menu-item", has=page.locator(
            ".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(label)}$"))).last
        item.wait_for(timeout=30_000)
        if label != labels[-1]:
            item.hover()
        else:
            item.click()


def _open_lab(page: Any, hub: classhub.ClassHub, user: str) -> None:
    page.goto(hub.user_url(user, "lab?reset"))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=180_000)
    page.wait_for_selector(".lm-MenuBar-item", timeout=120_000)


def _formgrader(page: Any, hub: classhub.ClassHub) -> Any:
    """Formgrader as the instructor meets it: JupyterLab's Nbgrader menu -> Formgrader, shown in an <iframe> of the
    lab (a blank tab if the server forbids framing). Returns that frame once it lists the assignment."""
    _open_lab(page, hub, hub.instructor)
    page.wait_for_function("() => window.jupyterapp.commands.hasCommand('nbgrader:open-formgrader')",
                           timeout=180_000)
    _menu(page, "Nbgrader", "Formgrader")
    iframe = page.locator("iframe[src*='formgrader']").first
    iframe.wait_for(timeout=60_000)
    frame = iframe.element_handle().content_frame()
    try:
        frame.locator("tr", has_text=ASSIGNMENT).first.wait_for(timeout=120_000)
    except Exception:
        browser.screenshot(page, "hub-formgrader-in-lab")
        raise
    return frame


def _formgrader_action(page: Any, hub: classhub.ClassHub, column: str, expect: str) -> str:
    """Click one action of the assignment's row in Manage Assignments and return the log of its modal."""
    frame = _formgrader(page, hub)
    row = frame.locator("tr", has_text=ASSIGNMENT).first
    row.locator(f"td.{column} a").first.click()
    modal = frame.locator("#success-modal, #error-modal").first
    modal.wait_for(timeout=300_000)
    text = modal.inner_text()
    assert frame.locator("#success-modal").count() == 1, f"formgrader {column} failed:\n{text[-2000:]}"
    assert expect.lower() in text.lower(), text[-2000:]
    return text


def _terminal(page: Any, hub: classhub.ClassHub, user: str, command: str, name: str,
              timeout: float = 900) -> dict[str, str]:
    """Type ``command`` into a new JupyterLab terminal (File -> New -> Terminal) as ``user``, as a person does. The
    shell writes what it printed and its exit status to files in the user's home, read back here as root."""
    _open_lab(page, hub, user)
    _menu(page, "File", "New", "Terminal")
    page.locator(".jp-Terminal .xterm").last.wait_for(timeout=60_000)
    home = hub.home(user)
    out, rc = home / f".{name}.out", home / f".{name}.rc"
    for path in (out, rc):
        path.unlink(missing_ok=True)
    line = f"{{ {command} ; }} > ~/.{name}.out 2>&1; echo $? > ~/.{name}.rc"
    deadline = time.monotonic() + timeout
    typed_at = None
    while not rc.is_file() and time.monotonic() < deadline:
        if typed_at is None or (not out.exists() and time.monotonic() - typed_at > 20):
            # Until the shell has started nothing reaches it: type again if no output file appeared.
            page.locator(".jp-Terminal .xterm").last.click()
            page.keyboard.type(line)
            page.keyboard.press("Enter")
            typed_at = time.monotonic()
        time.sleep(1)
    assert rc.is_file(), f"{user}: the terminal command did not finish: {command}"
    time.sleep(0.5)
    return {"out": out.read_text(errors="replace"), "rc": rc.read_text().strip()}


def _gradebook_scores(hub: classhub.ClassHub) -> dict[str, dict[str, Any]]:
    from nbgrader.api import Gradebook

    course = Path(hub.settings["instructor_course"])
    out: dict[str, dict[str, Any]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in hub.students:
            sub = gb.find_submission(ASSIGNMENT, student)
            out[student] = {"score": sub.score, "manual": sum(g.manual_score or 0 for nb in sub.notebooks
                                                               for g in nb.grades if g.manual_score is not None),
                            "comments": [c.manual_comment for nb in sub.notebooks for c in nb.comments
                                         if c.manual_comment]}
    return out


PROBE = r"""
import os, json
paths = json.loads(os.environ.get("PROBE", "{}")) or %s
out = {}
for name, path in paths.items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        out[name] = "READ"
    except PermissionError:
        out[name] = "DENIED"
    except FileNotFoundError:
        out[name] = "MISSING"
print("PROBE=" + json.dumps(out, sort_keys=True))
"""


def test_a_class_on_the_hub_end_to_end(tmp_path: Path) -> None:
    started = time.monotonic()
    mistakes = [m for m in wrong_submissions.load(ASSIGNMENT) if m.expected_total > 0]
    assert mistakes, f"{ASSIGNMENT}: no wrong submission with partial marks to play"
    wrong = mistakes[0]
    right_answers, wrong_answers = _answers(None), _answers(wrong)
    cells = read_cells(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    full_auto = sum(c.points for c in cells if c.kind == "test")
    manual_cell = next(c for c in cells if c.kind == "manual")
    hidden = [ln.strip() for c in cells for ln in c.region(BEGIN_HIDDEN, END_HIDDEN) if len(ln.strip()) >= 25]
    assert hidden, "the assignment has no hidden tests to look for"

    # One Chromium for the whole class; each block below is one person's visit, in a browser context of its own.
    with classhub.class_hub(tmp_path / "hub.log", students=2) as hub, browser.people() as person:
        right, wrong_student = hub.students
        course = Path(hub.settings["instructor_course"])
        venv = Path(hub.settings["venv"])

        # The proxy runs on Debian 12's node (18.20.4, as `apt-get install nodejs` gives it), the pinned 5.1.0.
        proxy = hub.settings["proxy_command"]
        ran = subprocess.run([proxy[0], "--version"], capture_output=True, text=True)
        assert ran.stdout.strip() == f"v{classhub.DEBIAN12_NODE}", (proxy, ran.stdout)
        assert "configurable-http-proxy" in proxy[1]

        # 0. The instructor's JupyterLab terminal (a login shell) has the course tools of the shared environment.
        with person() as page:
            classhub.login(page, hub, hub.instructor)
            print(f"\nfrom set-up to the instructor logged in to JupyterLab: {time.monotonic() - hub.started:.0f} s")
            tools = _terminal(page, hub, hub.instructor, "shopt -q login_shell && echo LOGIN-SHELL; "
                              "which grade-class nbgrader python; grade-class --help | head -n 3; "
                              "bash -c 'echo NON-LOGIN $(command -v grade-class) $(command -v nbgrader)'", "tools")
            assert tools["rc"] == "0", f"the course tools in the instructor's terminal:\n{tools['out']}"
            lines = tools["out"].splitlines()
            assert "LOGIN-SHELL" in lines, f"JupyterLab's terminal is not a login shell here:\n{tools['out']}"
            for tool in ("grade-class", "nbgrader", "python"):
                assert str(venv / "bin" / tool) in lines, f"{tool} is not the shared environment's:\n{tools['out']}"
            assert "usage: grade-class" in tools["out"], tools["out"]
            assert f"NON-LOGIN {venv}/bin/grade-class {venv}/bin/nbgrader" in lines, tools["out"]
            # Formgrader may be framed by the lab's own origin only (JupyterHub's default forbids any frame).
            head = page.request.get(hub.user_url(hub.instructor, "formgrader"))
            assert head.ok and head.headers.get("content-security-policy") == "frame-ancestors 'self'", \
                head.headers

        # 1. The instructor generates and releases the assignment in formgrader (Nbgrader menu, inside the lab).
        with person() as page:
            classhub.login(page, hub, hub.instructor)
            _formgrader_action(page, hub, "assign", "Successfully")
            _formgrader_action(page, hub, "release", "Successfully")
        assert (hub.exchange / "osteonecrosis" / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

        # 2. Students fetch, answer and submit from the Assignments panel; the second one resubmits.
        with person() as page:
            classhub.login(page, hub, right)
            # The course's JupyterLab overrides: no "get notified about official Jupyter news?" prompt.
            news = page.request.get(hub.user_url(right, "lab/api/settings/@jupyterlab/apputils-extension:notification"))
            props = news.json()["schema"]["properties"]
            assert props["fetchNews"]["default"] == "false" and props["checkForUpdates"]["default"] is False, props
            _open_lab(page, hub, right)
            page.wait_for_timeout(5000)  # the prompt is a toast shown shortly after start-up
            assert NEWS_PROMPT not in page.inner_text("body"), "a student is asked about Jupyter news"
            _student_submits(page, hub, right, right_answers, fetch=True, validate_passes=True)
        with person() as page:
            classhub.login(page, hub, wrong_student)
            _student_submits(page, hub, wrong_student, None, fetch=True)          # the blank notebook
            _student_submits(page, hub, wrong_student, wrong_answers, fetch=False)  # then a wrong answer
        assert _inbound(hub, wrong_student) == 2

        # 3. Collect (formgrader), grade-class (typed in the instructor's JupyterLab terminal), manual grade and
        #    comment (formgrader).
        with person() as page:
            classhub.login(page, hub, hub.instructor)
            _formgrader_action(page, hub, "collect", "Successfully")
            graded = _terminal(page, hub, hub.instructor,
                               f"cd {course} && grade-class {ASSIGNMENT} --no-progress", "grade")
        assert graded["rc"] == "0", f"grade-class in the terminal failed:\n{graded['out'][-3000:]}"
        scores = _gradebook_scores(hub)
        assert scores[right]["score"] == pytest.approx(full_auto), scores
        assert scores[wrong_student]["score"] == pytest.approx(wrong.expected_total), \
            f"the resubmission did not win: {scores}"

        manual_points = max(1.0, manual_cell.points - 1)
        with person() as page:
            classhub.login(page, hub, hub.instructor)
            # Formgrader inside the lab: Manual Grading -> the assignment -> its notebook -> the student.
            frame = _formgrader(page, hub)
            frame.get_by_role("link", name="Manual Grading").first.click()
            frame.locator("tbody tr", has_text=ASSIGNMENT).first.locator("a").first.click()
            frame.wait_for_url(f"**/formgrader/gradebook/{ASSIGNMENT}", timeout=60_000)
            frame.locator("tbody tr", has_text=ASSIGNMENT).first.locator("a").first.click()
            frame.wait_for_url(f"**/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}", timeout=60_000)
            frame.locator("tr", has_text=right).first.wait_for(timeout=120_000)
            frame.locator("tr", has_text=right).first.locator("a").first.click()
            frame.wait_for_selector(".score", timeout=120_000)
            frame.wait_for_load_state("networkidle")
            # formgrader: the score box has the cell's grade id as its id, the comment box "<grade id>-comment".
            # Each box saves on "change"; type again if formgrader's views were not bound yet.
            score_input = frame.locator(f"input.score[id='{manual_cell.grade_id}']")
            comment = frame.locator(f"textarea.comment[id='{manual_cell.grade_id}-comment']")
            for _attempt in range(4):
                for box, value in ((score_input, f"{manual_points:g}"), (comment, COMMENT)):
                    box.fill("")
                    box.fill(value)
                    box.dispatch_event("change")
                    box.press("Tab")
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    now = _gradebook_scores(hub)[right]
                    if now["manual"] == manual_points and COMMENT in now["comments"]:
                        break
                    time.sleep(0.5)
                else:
                    continue
                break
        scores = _gradebook_scores(hub)
        assert scores[right]["manual"] == pytest.approx(manual_points), f"the manual grade was not saved: {scores}"
        assert COMMENT in scores[right]["comments"], f"the comment was not saved: {scores}"

        with person() as page:
            classhub.login(page, hub, hub.instructor)
            regen = _terminal(page, hub, hub.instructor,
                              f"cd {course} && python -m classroom feedback {ASSIGNMENT}", "feedback")
            assert regen["rc"] == "0", f"feedback regeneration in the terminal failed:\n{regen['out'][-3000:]}"
            _formgrader_action(page, hub, "release-feedback", "Successfully")

        # 4. Each student fetches feedback and sees their own score, the manual grade and the comment.
        for student in (right, wrong_student):
            with person() as page:
                classhub.login(page, hub, student)
                page.goto(hub.user_url(student, "lab?reset"))
                page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=180_000)
                _open_panel(page)
                page.locator("#submitted_assignments_list .list_item, #fetched_assignments_list .list_item",
                             has_text=ASSIGNMENT).first.wait_for(timeout=90_000)
                page.get_by_role("button", name="Fetch Feedback").first.click()
                listing = None
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    resp = page.request.get(hub.user_url(student, f"api/contents/{ASSIGNMENT}/feedback"))
                    if resp.ok and resp.json()["content"]:
                        listing = resp.json()["content"]
                        break
                    time.sleep(1)
                assert listing, f"{student}: no feedback fetched"
                stamp = sorted(item["name"] for item in listing)[-1]
                page.goto(hub.user_url(student, f"files/{ASSIGNMENT}/feedback/{stamp}/{ASSIGNMENT}.html"))
                text = page.inner_text("body")
                html = page.content()
                expected = scores[student]["score"]
                total = full_auto + sum(c.points for c in cells if c.kind in ("manual", "task"))
                assert re.search(rf"Score:\s*{expected:g}(\.0+)?\s*/\s*{total:g}(\.0+)?", text), \
                    f"{student}: own score {expected:g} / {total:g} not in the feedback:\n{text[:800]}"
                for line in hidden:
                    assert line not in html, f"{student}: feedback shows a hidden test line {line[:60]!r}"
                if student == right:
                    assert COMMENT in text, f"{student}: the instructor's comment is not in the feedback"
                    assert re.search(rf"\b{manual_points:g}(\.0+)?\s*/\s*{manual_cell.points:g}", text), \
                        f"{student}: the manual grade {manual_points:g}/{manual_cell.points:g} is not shown"
                else:
                    assert COMMENT not in text, f"{student} sees another student's comment"

        # 5. What a student cannot reach, checked through the hub as that student.
        other_home = hub.home(right)
        with person() as page:
            classhub.login(page, hub, wrong_student)
            fg = page.request.get(hub.user_url(wrong_student, "formgrader"))
            assert fg.status == 404, f"a student reached formgrader ({fg.status})"
            fg_api = page.request.get(hub.user_url(wrong_student, "formgrader/api/assignments"))
            assert fg_api.status == 404, f"a student reached formgrader's API ({fg_api.status})"
            other = page.request.get(hub.user_url(right, "api/contents"), max_redirects=0)
            assert other.status in (302, 403, 404), f"a student reached another student's server ({other.status})"
            assert "content" not in (other.text() or "")[:2000] or other.status != 200
            page.goto(hub.user_url(wrong_student, "lab?reset"))
            _wait_plugins(page)
            for command in ("nbgrader:open-formgrader", "nbgrader:open-create-assignment"):
                offered = page.evaluate("(c) => window.jupyterapp.commands.hasCommand(c)", command)
                assert not offered, f"a student's JupyterLab offers {command}"
            probe_paths = {
                "gradebook": str(course / "gradebook.db"),
                "solutions": str(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                "other_student": str(other_home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
                "other_home": str(other_home),
                "inbound": str(hub.exchange / "osteonecrosis" / "inbound"),
                "own_notebook": str(hub.home(wrong_student) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
            }
            probe = nbformat.v4.new_notebook()
            probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            probe.cells = [nbformat.v4.new_code_cell(PROBE % repr(probe_paths))]
            put = page.request.put(hub.user_url(wrong_student, "api/contents/probe.ipynb"),
                                   data={"type": "notebook", "format": "json", "content": probe},
                                   headers={"X-XSRFToken": _xsrf(page)})
            assert put.ok, f"could not save the probe notebook ({put.status}: {put.text()[:300]})"
            server = classhub.UserServer(hub, wrong_student)
            browser.open_notebook(page, server, "probe.ipynb")
            browser.run_all_cells(page)
            page.wait_for_function("() => document.body.innerText.includes('PROBE=')", timeout=120_000)
            found = re.search(r"PROBE=(\{.*?\})", page.inner_text("body"))
            assert found, "the probe printed nothing"
            import json

            result = json.loads(found.group(1))
        assert result["own_notebook"] == "READ", result
        for name in ("gradebook", "solutions", "other_student", "other_home", "inbound"):
            assert result[name] == "DENIED", f"a student's kernel could read {name}: {result}"
        print(f"\nclass hub end to end: {time.monotonic() - started:.0f} s")


def _xsrf(page: Any) -> str:
    for cookie in page.context.cookies():
        if cookie["name"] == "_xsrf":
            return cookie["value"]
    return ""
