"""Defence in depth: active content removed from the autograded notebook itself (issue 12).

The guard that keeps scripts out of the instructor's browser is ``render_sanitise``: formgrader and the feedback
page clean the HTML *after* nbconvert has rendered it, by allow-list (nh3). This module also cleans the
notebook that grade-class writes to ``autograded/`` (what formgrader renders and what "open live notebook"
opens), so the stored file carries less for any other viewer: nbconvert's bleach-based ``SanitizeHTML`` on
HTML and markdown outputs and cells, every output kind other than text, images, JSON, HTML and markdown
dropped, ``javascript:``-style URLs neutralised, widget state removed, and output metadata that nbconvert's
templates write into attributes (``width``/``height`` that are not whole numbers, ``filenames``) dropped.
``neutralise`` reports how many cells or outputs held active content, so that ordinary HTML (tables,
headings) is cleaned silently and only real scripts are flagged.
"""

from __future__ import annotations

import re

from bleach.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode

_SCRIPT_URL = re.compile(r"(?i)\b(java|vb)script\s*:|\bdata\s*:\s*text/html")
_ACTIVE = re.compile(
    r"(?i)<\s*/?\s*(script|iframe|frame|object|embed|applet|form|meta|link|base|svg)\b"
    r"|\son[a-z]+\s*=|\b(java|vb)script\s*:|\bdata\s*:\s*text/html")
_ACTIVE_MIME = re.compile(r"(?i)javascript|ecmascript|/x-shockwave")  # widget views: dropped, inert
TAGS = sorted(set(ALLOWED_TAGS) | {
    "p", "div", "span", "br", "hr", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "sup", "sub", "small", "del",
    "ins", "mark", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col", "dl",
    "dt", "dd", "img", "details", "summary", "figure", "figcaption", "kbd", "samp", "var", "u", "s",
})
ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "*": ["class", "title", "align"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
}


def has_active_content(text: str) -> bool:
    """Whether ``text`` (HTML or markdown) holds something a browser would run."""
    return bool(_ACTIVE.search(text))


def _clean_text(text: str, sanitizer: SanitizeHTML) -> str:
    if "<" in text or "on" in text:
        text = sanitizer.sanitize_html_tags(text)
    return _SCRIPT_URL.sub("blocked-url:", text)


def _scrub_metadata(output: NotebookNode) -> bool:
    """Drop output metadata that templates write into attributes unless it is plain; whether any was bad."""
    meta = output.get("metadata")
    if not isinstance(meta, dict):
        return False
    bad = meta.pop("filenames", None) is not None
    for value in list(meta.values()):
        if not isinstance(value, dict):
            continue
        for key in ("width", "height"):
            size = value.get(key)
            if size is not None and not (isinstance(size, int) or (isinstance(size, str) and size.isdigit())):
                del value[key]
                bad = True
    return bad


def neutralise(nb: NotebookNode) -> int:
    """Remove active content from ``nb`` in place; returns how many cells or outputs held some."""
    sanitizer = SanitizeHTML(strip=True, tags=TAGS, attributes=ATTRIBUTES)
    found = 0
    nb.metadata.pop("widgets", None)  # saved widget state (JupyterLab may save it for honest students too)
    for cell in nb.cells:
        if cell.cell_type in ("markdown", "raw"):
            if has_active_content(cell.source):
                found += 1
            cell.source = _clean_text(cell.source, sanitizer)
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            if any(_ACTIVE_MIME.search(k) for k in data) or any(
                    isinstance(v, str) and has_active_content(v) for k, v in data.items() if k.startswith("text/")):
                found += 1
            if _scrub_metadata(output):
                found += 1
            sanitizer.sanitize_code_outputs([output])
            for key in ("text/html", "text/markdown"):
                if isinstance(data.get(key), str):
                    data[key] = _SCRIPT_URL.sub("blocked-url:", data[key])
            if not data:
                data["text/plain"] = "[grader: output with active content removed]"
    return found
