"""Guard: what a student wrote or printed reaches the instructor's browser only through an allow-list.

A student's markdown, outputs and cell metadata are shown to the instructor twice: in formgrader (inside the
instructor's Jupyter session, next to the grading buttons) and in the feedback page. Both are made by nbconvert's
HTML templates, and the templates themselves write student data into attributes (an image's ``width`` from the
output's metadata, unquoted; ``filenames`` as an ``src``; cell tags as classes). So the HTML is cleaned *after*
rendering, by ammonia's allow-list sanitiser (``nh3``), which parses it as a browser does (entities decoded,
``jav&#x61;script:`` is ``javascript:``):

- ``clean_fragment``: the student's own HTML (a rendered markdown cell, an HTML or markdown output): inert tags
  only, no event handlers, no ``style``, no ``class``, no ``id`` or ``name``, links only ``http(s):``,
  ``mailto:`` or ``#``, images only inline ``data:`` of an image type, sizes only as whole numbers;
- ``clean_output``: each output as the template rendered it (second layer): the same, keeping only the classes
  nbconvert's template gives outputs (none that formgrader's scripts bind);
- ``clean_page``: the whole feedback page: no script at all, a Content-Security-Policy that forbids scripts and
  every fetch but inline images, the template's own styles kept.

The templates in ``render_templates/`` apply the first two; they extend nbgrader's ``formgrade`` and ``feedback``
templates and are switched on for formgrader by ``configure`` (called from ``nbgrader_config.py``), the nbgrader
way: formgrader builds a plain ``HTMLExporter`` from the course's config, so its template directories and filters
are set there. The feedback page is written by ``SanitisedFeedbackExporter`` (an ``HTMLExporter`` whose
``from_notebook_node`` output is cleaned), also set as ``GenerateFeedback.exporter_class``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbgrader
import nh3
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from pygments.token import STANDARD_TYPES
from traitlets.config import Config

TEMPLATES = Path(__file__).with_name("render_templates")
_FORMGRADER = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
NBGRADER_TEMPLATES = _FORMGRADER / "templates"
BOOTSTRAP_CSS = _FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css"

TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
}
ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
# Classes nbconvert's classic template gives an output (and ansi2html's colours): the only ones kept inside an
# output. None of them is looked up by formgrader's scripts (which bind .full-credit, .score, .comment ...).
OUTPUT_CLASSES = {
    "output_area", "prompt", "output_prompt", "output_subarea", "output_html", "rendered_html", "output_markdown",
    "output_png", "output_jpeg", "output_svg", "output_text", "output_stream", "output_stdout", "output_stderr",
    "output_error", "output_latex", "output_execute_result", "output_javascript", "unconfined",
} | {f"ansi-{c}-{p}" for c in ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "default")
       for p in ("fg", "bg", "intense-fg", "intense-bg")} | {"ansi-bold", "ansi-underline", "ansi-italic"}
# The feedback page as a whole (a page without scripts): nbgrader's feedback template, nbconvert's cells, Pygments.
PAGE_CLASSES = OUTPUT_CLASSES | {
    "container", "panel", "panel-default", "panel-primary", "panel-heading", "panel-body", "panel-footer",
    "nbgrader_cell", "nbgrader-label", "pull-right", "late-penalty", "cell", "border-box-sizing", "code_cell",
    "text_cell", "rendered", "inner_cell", "text_cell_render", "input", "input_prompt", "input_area",
    "output_wrapper", "output", "highlight", "hl-ipython3", "hl-python", "hll", "center",
} | {c for c in STANDARD_TYPES.values() if c}
IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]*")
SAFE_HREF = re.compile(r"(https?:|mailto:|#)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these inside and around a URL
_NUMBER = re.compile(r"\d{1,4}")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
       "form-action 'none'")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    """Per-attribute rules ammonia cannot express: called with the value as parsed (entities decoded)."""
    if attribute in ("width", "height", "colspan", "rowspan", "span", "start"):
        value = value.strip()
        return value if _NUMBER.fullmatch(value) else None
    if attribute == "src":
        url = _URL_NOISE.sub("", value)
        return url if element == "img" and IMAGE_DATA.fullmatch(url) else None
    if attribute == "href":
        return value if SAFE_HREF.match(_URL_NOISE.sub("", value)) else None
    return value


def _fragment_only(url: str) -> str | None:
    """Relative URLs: only ``#anchor`` links stay (a relative src or href reaches the Jupyter server)."""
    return url if url.startswith("#") else None


def _cleaner(classes: set[str] | None = None, extra: dict[str, set[str]] | None = None) -> nh3.Cleaner:
    attributes = {tag: set(names) for tag, names in ATTRIBUTES.items()}
    for tag, names in (extra or {}).items():
        attributes.setdefault(tag, set()).update(names)
    return nh3.Cleaner(
        tags=TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "iframe", "textarea", "select", "option",
                            "svg", "math", "object"},
        attributes=attributes,
        attribute_filter=_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        url_relative=_fragment_only,
        allowed_classes={tag: classes for tag in TAGS} if classes else None,
        strip_comments=True,
    )


_FRAGMENT = _cleaner()
_OUTPUT = _cleaner(OUTPUT_CLASSES)
_PAGE = _cleaner(PAGE_CLASSES, {"*": {"id"}, "a": {"name"}})


def clean_fragment(text: Any) -> str:
    """The student's own HTML, cleaned: no class, id, style, script, handler, remote or script URL."""
    return _FRAGMENT.clean(str(text))


def clean_output(text: Any) -> str:
    """One output as the template rendered it, cleaned; only the template's output classes are kept."""
    return _OUTPUT.clean(str(text))


def clean_size(value: Any) -> str:
    """An image width or height from an output's metadata: a whole number, or nothing."""
    text = str(value).strip() if value is not None else ""
    return text if _NUMBER.fullmatch(text) else ""


def clean_page(page: str) -> str:
    """A whole rendered feedback page: the template's head (its styles and title) with a policy that forbids
    scripts and fetches, and a body cleaned by allow-list. Nothing in it runs."""
    start = page.find("<body")
    opened = page.find(">", start)
    close = page.rfind("</body>")
    if start < 0 or opened < 0 or close < opened:
        raise ValueError("the rendered page has no <body>")
    head = page[:start]  # the template's own: no notebook content is written there
    styles = [s for s in re.findall(r"<style[^>]*>(.*?)</style>", head, re.DOTALL | re.IGNORECASE)
              if "</" not in s]
    title = re.search(r"<title>(.*?)</title>", head, re.DOTALL | re.IGNORECASE)
    title_text = html.escape(html.unescape(title.group(1)).strip()) if title else ""
    body = _PAGE.clean(page[opened + 1:close])
    style_html = "\n".join(f"<style>{s}</style>" for s in styles)
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f"<title>{title_text}</title>\n{style_html}\n</head>\n<body>\n{body}\n</body>\n</html>\n")


FILTERS = {"sanitise_html": clean_fragment, "sanitise_output": clean_output, "sanitise_size": clean_size}


class SanitisedFeedbackExporter(HTMLExporter):
    """nbgrader's feedback page through the sanitising templates, the whole page cleaned after rendering."""

    def __init__(self, config: Config | None = None, **kw: Any) -> None:
        # this class's own config section wins over HTMLExporter's (which nbgrader's apps set for their template)
        cfg = Config(config) if config is not None else Config()
        own = cfg.SanitisedFeedbackExporter
        own.template_name = "feedback"
        own.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
        own.extra_template_paths = [str(BOOTSTRAP_CSS), str(NBGRADER_TEMPLATES)]
        own.filters = dict(FILTERS)
        own.exclude_anchor_links = True  # a heading's id is the student's text: no id, so no link to it
        super().__init__(config=cfg, **kw)
        self.register_preprocessor(CSSHTMLHeaderPreprocessor(parent=self), enabled=True)

    def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
        body, resources = super().from_notebook_node(nb, resources, **kw)
        return clean_page(body), resources


def feedback_exporter(config: Config | None = None) -> SanitisedFeedbackExporter:
    """The feedback writer's exporter (add ``GetGrades`` to it for the scores)."""
    return SanitisedFeedbackExporter(config=Config(config) if config is not None else Config())


def configure(c: Config) -> None:
    """Route nbgrader's HTML through the sanitising templates (formgrader) and exporter (generate_feedback).

    Formgrader makes ``HTMLExporter(config=...)`` from the course's config with ``template_name = 'formgrade'``;
    nbgrader_config.py is read after formgrader's own settings, so these directories and filters apply."""
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    c.HTMLExporter.extra_template_paths = [str(NBGRADER_TEMPLATES)]
    c.HTMLExporter.filters = {name: f"{__name__}.{func.__name__}" for name, func in FILTERS.items()}
    c.HTMLExporter.exclude_anchor_links = True
    c.GenerateFeedback.exporter_class = f"{__name__}.SanitisedFeedbackExporter"
