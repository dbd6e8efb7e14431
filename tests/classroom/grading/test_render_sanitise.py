"""What a student wrote or printed reaches the instructor's browser only through an allow-list (issue 18).

Each case of the rendering corpus (tests/adversarial/corpus_render.py) is put into an autograded-like notebook
(as plain ``nbgrader autograde`` leaves it: without grade-class's notebook-level clean-up
``active_content.neutralise``, which is defence in depth, not the guard), rendered as formgrader renders
a submission (nbgrader's ``formgrade`` template with the course's ``nbgrader_config.py``) and as the feedback
page, and the HTML is compared with the same notebook without the payload. The checker here is independent of
the sanitiser: it parses the page and refuses anything the payload added that a browser could run or fetch,
a class or id the student chose, a style, a form control, a non-numeric size.
"""

from __future__ import annotations

import copy
import html as html_lib
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from classroom.grading.guards import render_sanitise
from classroom.grading.guards.active_content import neutralise
from nbconvert.exporters import HTMLExporter
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from tests.adversarial.corpus_render import PNG, RENDER_CASES, RenderCase
from tests.conftest import ROOT

# classes nbconvert's classic template emits once per cell or output (so a payload's extra cells and outputs add
# them); none of them is bound by formgrader's scripts
PER_CELL_CLASSES = {
    "cell", "border-box-sizing", "code_cell", "text_cell", "rendered", "inner_cell", "text_cell_render",
    "rendered_html", "prompt", "input_prompt", "output_prompt", "input", "input_area", "output_wrapper", "output",
    "output_area", "output_subarea", "output_html", "output_markdown", "output_png", "output_jpeg", "output_svg",
    "output_text", "output_stream", "output_stdout", "output_stderr", "output_error", "output_latex",
    "output_execute_result", "output_javascript", "unconfined",
}
# what formgrader's own scripts look up by class
BOUND_CLASSES = {"full-credit", "no-credit", "mark-graded", "score", "extra-credit", "comment", "tabbable",
                 "nbgrader_cell", "score-saved", "comment-saved", "save-icon", "help", "name-shown", "name-hidden"}
RISKY_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
              "textarea", "select", "option", "link", "meta", "base", "style", "svg", "math", "video", "audio",
              "source", "track", "picture", "template", "noscript", "canvas", "portal", "area", "map"}
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "data", "poster", "background", "xlink:href", "cite",
             "longdesc", "ping", "lowsrc", "dynsrc", "manifest", "codebase", "imagesrcset"}
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]*$")
SAFE_HREF = re.compile(r"^(https?:|mailto:|#)", re.I)
STRIP = re.compile(r"[\x00-\x20\x7f]+")

RESOURCES = {"assignment_id": "ps_fixture", "notebook_id": "ps_fixture", "submission_id": "abc123", "index": 0,
             "total": 1, "base_url": "", "student": "mallory", "last_name": "M", "first_name": "Mallory",
             "notebook_path": "autograded/mallory/ps_fixture/ps_fixture.ipynb"}


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, points: float = 0) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": not solution, "grade_id": grade_id,
            "schema_version": 3}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def base_notebook() -> nbformat.NotebookNode:
    """An autograded-like notebook: a written answer, a code answer with an output, a failed test."""
    v4 = nbformat.v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        v4.new_markdown_cell("# Fixture\n\n**Q3.** Why ask about antiresorptives?",
                             metadata=_nbgrader("q3_text", grade=False, solution=False)),
        v4.new_markdown_cell("Because the drug history sets the risk.",
                             metadata=_nbgrader("written_q3", grade=True, solution=True, points=2)),
        v4.new_code_cell("def persisting_long_enough(weeks):\n    return True",
                         metadata=_nbgrader("answer_q1", grade=False, solution=True),
                         outputs=[v4.new_output("stream", name="stdout", text="checked\n")], execution_count=1),
        v4.new_code_cell('check_equal(persisting_long_enough(8), False, "8 weeks")',
                         metadata=_nbgrader("test_q1", grade=True, solution=False, points=2),
                         outputs=[v4.new_output("error", ename="AssertionError", evalue="8 weeks",
                                                traceback=["AssertionError: 8 weeks"])], execution_count=2),
    ]
    return nb


def hostile_notebook(case: RenderCase) -> nbformat.NotebookNode:
    """The base notebook with ``case``'s payload (no notebook-level clean-up: the rendering guard alone)."""
    nb = base_notebook()
    answer = nb.cells[2]
    for out in case.outputs:
        answer.outputs.append(nbformat.v4.new_output("display_data", data=copy.deepcopy(out["data"]),
                                                     metadata=copy.deepcopy(out.get("metadata", {}))))
    if case.tags:
        answer.metadata["tags"] = list(case.tags)
    if case.written is not None:
        nb.cells[1].source = case.written
    nb.cells[:0] = [nbformat.v4.new_markdown_cell(text) for text in case.markdown]
    return nb


def formgrade_html(nb: nbformat.NotebookNode) -> str:
    """The page formgrader serves for a submission: nbgrader's formgrade template, its own settings first,
    then the course's nbgrader_config.py (FormgradeExtension.build_extra_config, then the config file)."""
    cfg = Config()
    cfg.HTMLExporter.template_name = "formgrade"
    cfg.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    cfg.merge(PyFileConfigLoader("nbgrader_config.py", str(ROOT)).load_config())
    body, _ = HTMLExporter(config=cfg).from_notebook_node(copy.deepcopy(nb), resources=copy.deepcopy(RESOURCES))
    return body


def feedback_html(nb: nbformat.NotebookNode) -> str:
    """The feedback page, as the grader's feedback writer makes it (scores given, as GetGrades would)."""
    exporter = render_sanitise.feedback_exporter(Config())
    nb = copy.deepcopy(nb)
    for cell in nb.cells:  # what GetGrades adds from the gradebook
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") or meta.get("task"):
            meta["score"] = 0.0
        if meta.get("solution"):
            meta["comment"] = "See the *guideline*."
    resources = {"nbgrader": {"notebook": "ps_fixture", "score": 0.0, "max_score": 4.0, "late_penalty": 0.0},
                 "metadata": {"path": "."}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ---------------------------------------------------------------------------------------------- the checker
def _features(html: str) -> dict[str, Counter]:
    soup = BeautifulSoup(html, "html.parser")
    f: dict[str, Counter] = {k: Counter() for k in ("risky", "handlers", "urls", "styles", "ids", "classes",
                                                    "sizes", "bound")}
    for el in soup.find_all(True):
        name = el.name.lower()
        if name in RISKY_TAGS:
            f["risky"][(name, str(el.get("src", "")), el.get_text()[:200] if name in ("script", "style") else "")] += 1
        for attr, value in el.attrs.items():
            attr = attr.lower()
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attr.startswith("on"):
                f["handlers"][(name, attr, value)] += 1
            elif attr in URL_ATTRS:
                f["urls"][(name, attr, value)] += 1
            elif attr == "style":
                f["styles"][(name, value)] += 1
            elif attr == "id" or attr == "name" and name != "a":
                f["ids"][(name, value)] += 1
            elif attr in ("width", "height"):
                f["sizes"][(name, attr, value)] += 1
        for cls in el.get("class", []):
            f["classes"][cls] += 1
        if BOUND_CLASSES & set(el.get("class", [])):
            f["bound"][(name, " ".join(sorted(el.get("class", []))))] += 1
    return f


def problems_added(hostile: str, benign: str) -> list[str]:
    """What the hostile page holds beyond the benign one that a browser could run or fetch, or that the student
    chose in place of the template (classes, ids, styles), or a size that is not a number."""
    h, b = _features(hostile), _features(benign)
    out = []
    out += [f"risky element {k}" for k in h["risky"] - b["risky"]]
    out += [f"event handler {k}" for k in h["handlers"] - b["handlers"]]
    out += [f"style {k}" for k in h["styles"] - b["styles"]]
    out += [f"formgrader-bound class {k}" for k in h["bound"] - b["bound"]]
    out += [f"id or name {k}" for k in h["ids"] - b["ids"] if not k[1].startswith("cell-id=")]
    out += [f"class {k}" for k in h["classes"] - b["classes"] if k not in PER_CELL_CLASSES]
    out += [f"size {k}" for k in h["sizes"] - b["sizes"] if not re.fullmatch(r"\d+", k[2])]
    for tag, attr, value in h["urls"] - b["urls"]:
        url = STRIP.sub("", html_lib.unescape(value))
        if (tag, attr) == ("img", "src") and IMAGE_DATA.match(url):
            continue
        if (tag, attr) == ("a", "href") and SAFE_HREF.match(url):
            continue
        out.append(f"url {tag} {attr}={value[:80]!r}")
    return out


def text_of(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text(" ")


CASES = [pytest.param(c, id=c.name) for c in RENDER_CASES]


# ------------------------------------------------------------------------------------------------ formgrader
@pytest.fixture(scope="module")
def benign_formgrade() -> str:
    return formgrade_html(hostile_notebook(RenderCase("none", "no payload")))


@pytest.fixture(scope="module")
def benign_feedback() -> str:
    return feedback_html(hostile_notebook(RenderCase("none", "no payload")))


@pytest.mark.parametrize("case", CASES)
def test_formgrader_page_runs_and_fetches_nothing_the_student_wrote(case: RenderCase, benign_formgrade: str) -> None:
    html = formgrade_html(hostile_notebook(case))
    assert problems_added(html, benign_formgrade) == [], case.kind
    if case.visible:
        assert case.visible in text_of(html), f"{case.kind}: the student's text is no longer readable"


@pytest.mark.parametrize("case", CASES)
def test_feedback_page_runs_and_fetches_nothing_the_student_wrote(case: RenderCase, benign_feedback: str) -> None:
    html = feedback_html(hostile_notebook(case))
    assert problems_added(html, benign_feedback) == [], case.kind
    if case.visible:
        assert case.visible in text_of(html), f"{case.kind}: the student's text is no longer readable"


def test_feedback_page_has_no_script_and_forbids_scripts_and_fetches(benign_feedback: str) -> None:
    soup = BeautifulSoup(benign_feedback, "html.parser")
    assert soup.find_all("script") == []
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp is not None
    policy = csp["content"]
    assert "default-src 'none'" in policy and "img-src data:" in policy and "script-src" not in policy
    assert soup.find_all("style"), "the page keeps the template's own styles"


def test_formgrader_keeps_its_own_controls_and_scripts(benign_formgrade: str) -> None:
    soup = BeautifulSoup(benign_formgrade, "html.parser")
    assert len(soup.select("button.full-credit")) == 2  # the written answer and the test cell
    assert soup.select("input.score#written_q3") and soup.select("textarea.comment#written_q3-comment")
    srcs = [s.get("src", "") for s in soup.find_all("script")]
    assert any(s.endswith("/formgrader/static/js/formgrade.js") for s in srcs)
    assert not [s for s in srcs if s.startswith("http")], "no script from a CDN in the instructor's session"


def test_a_hostile_page_keeps_formgraders_controls_where_they_were(benign_formgrade: str) -> None:
    html = formgrade_html(hostile_notebook(next(c for c in RENDER_CASES if c.name == "full_credit_class")))
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.select(".full-credit")) == 2 and len(soup.select("#written_q3")) == 1
    assert "My written answer" in soup.select_one(".nbgrader_cell .text_cell_render").get_text()


# ------------------------------------------------------------------------------------ honest content stays
HONEST_TABLE = "<table><thead><tr><th>drug</th><th colspan='2'>risk</th></tr></thead><tbody><tr><td>zoledronate" \
               "</td><td>1.6 %</td><td><b>IV</b></td></tr></tbody></table>"


@pytest.mark.parametrize("render", [formgrade_html, feedback_html], ids=["formgrader", "feedback"])
def test_honest_outputs_still_render(render) -> None:
    nb = base_notebook()
    nb.cells[2].outputs += [
        nbformat.v4.new_output("display_data", data={"text/html": HONEST_TABLE, "text/plain": "t"}),
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "fig"},
                               metadata={"image/png": {"width": 300, "height": "200"}}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "*Stage* **2**: [AAOMS](https://aaoms.org)"}),
    ]
    nb.cells.append(nbformat.v4.new_markdown_cell("## Notes\n\n- one `code`\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    soup = BeautifulSoup(render(nb), "html.parser")
    cells = [td.get_text() for td in soup.select("table td")]
    assert "zoledronate" in cells and "1.6 %" in cells and soup.find("th", colspan="2")
    img = soup.find("img", src=re.compile(r"^data:image/png;base64,"))
    assert img is not None and img.get("width") == "300" and img.get("height") == "200"
    assert soup.find("em", string="Stage") and soup.find("a", href="https://aaoms.org")
    assert soup.find("h2") and soup.find("li") and soup.find("code", string="code")
    assert "Because the drug history sets the risk." in soup.get_text()
    assert soup.select(".output_area") and soup.select(".output_subarea"), "template classes kept"


# --------------------------------------------------------------------------------------- the sanitiser alone
@pytest.mark.parametrize("html", [
    '<a href="jav&#x61;script:alert(1)">x</a>', '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java&#09;script:alert(1)">x</a>', '<a href=" JAVASCRIPT:alert(1)">x</a>',
    '<a href="vbscript:x">x</a>', '<a href="data:text/html,x">x</a>', '<a href="javascript&colon;alert(1)">x</a>',
])
def test_script_urls_are_refused_after_entity_decoding(html: str) -> None:
    assert render_sanitise.clean_fragment(html) == '<a rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize(("value", "kept"), [("300", "300"), (" 42 ", "42"), ("1 onerror=x", None),
                                             ("100%", None), ("1e9", None), ("99999999", None), ("-1", None)])
def test_sizes_are_numbers_only(value: str, kept: str | None) -> None:
    out = render_sanitise.clean_fragment(f'<img src="data:image/png;base64,{PNG}" width="{value}">')
    assert (f'width="{kept}"' in out) if kept else ("width" not in out)


@pytest.mark.parametrize(("src", "kept"), [
    (f"data:image/png;base64,{PNG}", True), ("data:image/gif;base64,R0lGOD==", True),
    ("data:text/html;base64,PHNjcmlwdD4=", False), ("http://attacker.invalid/x.png", False),
    ("//attacker.invalid/x.png", False), ("/api/contents/gradebook.db", False), ("x.png", False),
    ("data:image/png,<svg onload=x>", False), ("javascript:alert(1)", False),
])
def test_images_are_inline_data_of_an_image_type_only(src: str, kept: bool) -> None:
    assert ("src=" in render_sanitise.clean_fragment(f'<img src="{src}" alt="a">')) is kept


def test_no_class_id_style_or_name_from_student_content() -> None:
    out = render_sanitise.clean_fragment('<div class="full-credit" id="written_q3" style="color:red" name="x" '
                                         'title="t">a</div>')
    assert out == '<div title="t">a</div>'


def test_output_layer_keeps_only_the_templates_output_classes() -> None:
    out = render_sanitise.clean_output('<div class="output_area full-credit"><img class="unconfined score" '
                                       f'src="data:image/png;base64,{PNG}"></div>')
    assert 'class="output_area"' in out and 'class="unconfined"' in out and "score" not in out
    assert "full-credit" not in out


def test_nbgrader_config_routes_formgrader_through_the_sanitising_templates() -> None:
    cfg = PyFileConfigLoader("nbgrader_config.py", str(ROOT)).load_config()
    dirs = cfg.HTMLExporter.extra_template_basedirs
    assert dirs[0] == str(render_sanitise.TEMPLATES) and handlers.template_path in dirs
    assert set(cfg.HTMLExporter.filters) >= {"sanitise_html", "sanitise_output"}
    assert Path(render_sanitise.TEMPLATES, "formgrade", "index.html.j2").is_file()


def test_the_notebook_level_clean_up_drops_metadata_templates_write_into_attributes() -> None:
    """Defence in depth (grade-class's autograded notebooks): bad sizes and filenames never reach the file."""
    nb = hostile_notebook(next(c for c in RENDER_CASES if c.name == "img_filenames"))
    nb.cells[2].outputs[1].metadata["image/jpeg"] = {"width": "1 onerror=x", "height": 12}
    assert neutralise(nb) >= 1
    metas = [o.metadata for o in nb.cells[2].outputs if o.output_type == "display_data"]
    assert all("filenames" not in m for m in metas)
    assert {"height": 12} in [m.get("image/jpeg") for m in metas]
