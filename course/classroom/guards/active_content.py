"""Guard: no active content (scripts, event handlers, Javascript) in autograded notebooks or feedback.

A student's outputs and markdown reach the instructor's browser twice: in the feedback page and in the
autograded notebook that formgrader renders inside the instructor's Jupyter session. Both are made from the
notebook this guard has cleaned, with nbconvert's bleach-based ``SanitizeHTML`` (HTML and markdown outputs
cleaned, every other non-image, non-text output kind dropped) plus ``javascript:``-style URLs neutralised in
markdown and widget state removed.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode

_SCRIPT_URL = re.compile(r"(?i)\b(java|vb)script\s*:|\bdata\s*:\s*text/html")
_HANDLER = re.compile(r"(?i)\son[a-z]+\s*=")


def _clean_text(text: str, sanitizer: SanitizeHTML) -> str:
    if "<" in text or _HANDLER.search(text):
        text = sanitizer.sanitize_html_tags(text)
    return _SCRIPT_URL.sub("blocked-url:", text)


def neutralise(nb: NotebookNode) -> int:
    """Remove active content from ``nb`` in place; returns how many cells or outputs were changed."""
    sanitizer = SanitizeHTML(strip=True)
    changed = 0
    if nb.metadata.pop("widgets", None) is not None:
        changed += 1
    for cell in nb.cells:
        if cell.cell_type in ("markdown", "raw"):
            cleaned = _clean_text(cell.source, sanitizer)
            if cleaned != cell.source:
                cell.source = cleaned
                changed += 1
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            before = {k: v for k, v in data.items()}
            sanitizer.sanitize_code_outputs([output])
            for key in ("text/html", "text/markdown"):
                if isinstance(data.get(key), str):
                    data[key] = _SCRIPT_URL.sub("blocked-url:", data[key])
            if data != before:
                changed += 1
            if not data:
                data["text/plain"] = "[grader: output with active content removed]"
    return changed
