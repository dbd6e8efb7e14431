"""The course website's pages, as pure functions over HTML text: navigation context (contents, previous and
next), citation links into the bibliography, the search index, the home page and the bibliography.

:mod:`classroom.publishing.site` executes the notebooks and calls these; they never run a kernel, so they are tested
directly.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

TEMPLATES = Path(__file__).resolve().parent / "site_templates"
STATIC = Path(__file__).resolve().parent / "site_static"
SITE_TITLE = "Osteonecrosis of the jaw: the course"
HOME = "index.html"
BIBLIOGRAPHY = "references.html"
# Text inside these is never turned into a citation link (code, scripts, links already).
NO_LINK_PARENTS = {"script", "style", "a", "code", "pre", "textarea", "title", "head", "button", "option"}


@dataclass(frozen=True)
class Page:
    """One page of the site: its file name and its title (shown in the contents and the pager)."""

    href: str
    title: str


def page_context(pages: Sequence[Page], current: str, title: str = SITE_TITLE) -> dict[str, Any]:
    """What the templates need for page ``current``: the contents and the previous and next pages (None at
    the ends)."""
    hrefs = [p.href for p in pages]
    if current not in hrefs:
        raise ValueError(f"page {current!r} is not in the site's contents")
    i = hrefs.index(current)
    as_dict = [{"href": p.href, "title": p.title} for p in pages]
    return {"title": title, "pages": as_dict, "current": current,
            "prev": as_dict[i - 1] if i > 0 else None,
            "next": as_dict[i + 1] if i + 1 < len(pages) else None}


def key_pattern(keys: Iterable[str]) -> re.Pattern[str] | None:
    """A regular expression matching any of the reference keys as a whole word (longest first)."""
    ordered = sorted(set(keys), key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in ordered) + r")(?![\w-])")


def _in_code_input(node: Tag | NavigableString) -> bool:
    for parent in node.parents:
        if parent.name in NO_LINK_PARENTS:
            return True
        classes = parent.get("class") or []
        if "jp-InputArea-editor" in classes or "osteo-sidebar" in classes:
            return True
    return False


def _link_citations(soup: BeautifulSoup, pattern: re.Pattern[str], target: str) -> list[str]:
    cited: dict[str, None] = {}
    for text in list(soup.find_all(string=pattern)):
        if type(text) is not NavigableString or _in_code_input(text):
            continue
        parts = pattern.split(str(text))
        new: list[Any] = []
        for j, part in enumerate(parts):
            if j % 2:
                cited[part] = None
                a = soup.new_tag("a", href=f"{target}#ref-{part}", attrs={"class": "osteo-cite"})
                a.string = part
                new.append(a)
            elif part:
                new.append(NavigableString(part))
        text.replace_with(*new)
    for script in soup.find_all("script", attrs={"type": "application/vnd.jupyter.widget-state+json"}):
        for m in pattern.finditer(script.string or ""):
            cited[m.group(1)] = None
    return list(cited)


def link_citations(page: str, keys: Iterable[str], target: str = BIBLIOGRAPHY) -> tuple[str, list[str]]:
    """Turn each reference key written in the page's text (not in code or scripts) into a link to its entry
    in the bibliography. Returns the new HTML and the keys the page cites, in order of first appearance
    (text, then widget state: a widget's 'Sources:' line lives in its saved state)."""
    pattern = key_pattern(keys)
    if pattern is None:
        return page, []
    soup = BeautifulSoup(page, "html.parser")
    cited = _link_citations(soup, pattern, target)
    return str(soup), cited


def process_page(page: str, keys: Iterable[str], href: str, title: str,
                 target: str = BIBLIOGRAPHY) -> tuple[str, list[str], list[dict[str, str]]]:
    """One parse of an exported notebook page: citation links (:func:`link_citations`), the 'References cited
    on this page' section in place of the template's marker, and the page's search documents
    (:func:`search_documents`). Returns (HTML, cited keys, search documents)."""
    soup = BeautifulSoup(page, "html.parser")
    pattern = key_pattern(keys)
    cited = _link_citations(soup, pattern, target) if pattern is not None else []
    docs = _sections(soup, href, title)
    refs = keys if isinstance(keys, Mapping) else {}
    section = cited_html(cited, refs, target) if refs else ""
    return str(soup).replace(CITED_MARKER, section, 1), cited, docs


CITED_MARKER = "<!--osteo-cited-->"


def cited_html(keys: Sequence[str], refs: Mapping[str, Any], target: str = BIBLIOGRAPHY) -> str:
    """The 'References cited on this page' section (empty when the page cites nothing)."""
    if not keys:
        return ""
    items = "".join(
        f'<li><a href="{target}#ref-{html.escape(k)}">{html.escape(k)}</a>: {html.escape(refs[k].citation)}'
        + (" <em>(unverified: taught as 'reported')</em>" if refs[k].verification == "unverified" else "")
        + "</li>" for k in keys)
    return ('<section class="osteo-cited" aria-labelledby="osteo-cited-heading">'
            '<h2 id="osteo-cited-heading">References cited on this page</h2>'
            f"<ul>{items}</ul></section>")


def _clean(text: str) -> str:
    """One line of text: no pilcrows (anchor links), single spaces, none before punctuation (pieces of a
    sentence split around a citation link are joined with a space)."""
    return re.sub(r"\s+([.,;:!?)])", r"\1", " ".join(text.replace("\u00b6", " ").split()))


SKIPPED_IN_SEARCH = {"script", "style", "nav"}
SKIPPED_CLASSES_IN_SEARCH = {"jp-InputArea-editor", "jp-InputPrompt", "jp-OutputPrompt", "osteo-cited",
                             "osteo-sidebar", "osteo-pager"}


def _searchable(node: NavigableString) -> bool:
    for parent in node.parents:
        if parent.name in SKIPPED_IN_SEARCH or SKIPPED_CLASSES_IN_SEARCH & set(parent.get("class") or []):
            return False
    return True


def _sections(soup: BeautifulSoup, href: str, title: str) -> list[dict[str, str]]:
    main = soup.find("main") or soup
    docs: list[dict[str, str]] = []
    section, anchor, chunks = title, "", []

    def flush() -> None:
        text = _clean(" ".join(chunks))
        if text or section != title:
            where = f"{href}#{anchor}" if anchor else href
            docs.append({"id": where, "href": where, "title": title, "section": section, "text": text})

    for node in main.descendants:
        if isinstance(node, Tag) and node.name in ("h1", "h2", "h3") and _searchable(node):
            flush()
            section, anchor, chunks = _clean(node.get_text(" ")), str(node.get("id") or ""), []
        elif type(node) is NavigableString and _searchable(node) and not any(
                p.name in ("h1", "h2", "h3") for p in node.parents):
            chunks.append(str(node))
    flush()
    return docs


def search_documents(page: str, href: str, title: str) -> list[dict[str, str]]:
    """Sections of an exported notebook page for the search index: one document per heading (h1-h3), with the
    text of the Markdown and of the outputs under it (code inputs, prompts, navigation and scripts left out;
    in nbconvert's export a Markdown cell's text also sits in a ``jp-InputArea``, its code in ``-editor``)."""
    return _sections(BeautifulSoup(page, "html.parser"), href, title)


def search_index_js(docs: Sequence[Mapping[str, str]]) -> str:
    """The search index as a script that sets ``window.OSTEO_SEARCH`` (a script, not JSON, so that a page
    opened from a local folder can load it)."""
    data = json.dumps(list(docs), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"window.OSTEO_SEARCH = {data};\n"


def index_body(pages: Sequence[Page], intro: str = "") -> str:
    """The home page's content: what the site is, and the pages in teaching order."""
    items = "\n".join(f'  <li><a href="{html.escape(p.href)}">{html.escape(p.title)}</a></li>' for p in pages)
    return f"""<h1>{html.escape(SITE_TITLE)}</h1>
<p>An open course on osteonecrosis of the jaw, above all medication-related osteonecrosis of the jaw (MRONJ),
for dental and medical students. This is a static copy of the course notebooks, executed once: the figures
are included and the widgets show the state they were saved in. To move the controls and answer the checks,
open the notebooks in JupyterLab (<code>make lab</code>). <strong>This course teaches; it is not a clinical
decision tool.</strong></p>
{intro}
<ol class="osteo-contents">
{items}
</ol>
<p>Every clinical number in the course names its source: the keys (such as <code>aaoms2022</code>) link to
the <a href="{BIBLIOGRAPHY}">bibliography</a>.</p>
"""


VERIFICATION_WORDS = {
    "verified": "checked in the primary source or its official abstract",
    "secondary": "checked in a secondary source that quotes it",
    "unverified": "not checked: never an answer key, taught as 'reported'",
}


def references_body(refs: Mapping[str, Any], cited_by: Mapping[str, Sequence[Page]]) -> str:
    """The bibliography: every entry of the reference registry (in registry order) with its kind, how the
    course checked it, and links back to the pages that cite it."""
    items = []
    for key, ref in refs.items():
        pages = cited_by.get(key, ())
        back = (" Cited in: " + ", ".join(f'<a href="{html.escape(p.href)}">{html.escape(p.title)}</a>'
                                          for p in pages) + ".") if pages else ""
        note = f" {html.escape(ref.note)}" if ref.note else ""
        check = VERIFICATION_WORDS.get(ref.verification, ref.verification)
        items.append(f'<li id="ref-{html.escape(key)}"><strong>{html.escape(key)}</strong>: '
                     f"{html.escape(ref.citation)}<br><span class=\"osteo-meta\">{html.escape(ref.kind)}; "
                     f"{html.escape(check)}.{note}{back}</span></li>")
    return ("<h1>Bibliography</h1>\n<p>The course's reference registry "
            "(<code>course/osteonecrosis/knowledge/references.yaml</code>). Each entry says what kind of source "
            "it is and how the course team checked what it cites; the links lead back to the pages that cite "
            "it.</p>\n<ol class=\"osteo-bib\">\n" + "\n".join(items) + "\n</ol>\n")


def reference_documents(refs: Mapping[str, Any]) -> list[dict[str, str]]:
    """One search document per bibliography entry."""
    return [{"id": f"{BIBLIOGRAPHY}#ref-{k}", "href": f"{BIBLIOGRAPHY}#ref-{k}", "title": "Bibliography",
             "section": k, "text": f"{r.citation} {r.note}".strip()} for k, r in refs.items()]


def render_plain(page_title: str, body: str, site: Mapping[str, Any]) -> str:
    """A non-notebook page (home, bibliography) in the site's frame."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "osteo")), autoescape=select_autoescape(["html", "j2"]))
    from markupsafe import Markup

    return env.get_template("page.html.j2").render(page_title=page_title, body=Markup(body), site=site)
