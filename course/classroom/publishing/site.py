"""``make site``: the course website in ``_site/``, built from the course notebooks.

Each notebook is executed once in a fresh kernel and the executed copy is cached (``build/site-cache``), keyed
by the notebook's bytes, the ``osteonecrosis`` package's files and the pinned dependency set: a rebuild
re-executes only what changed. The executed notebooks are exported with nbconvert through the site's own
template (``site_templates/osteo``: JupyterLab's export in a frame with contents, search and previous/next
links); figures are embedded as PNG data and widgets are saved with their state. Reference keys in the text
link to a bibliography built from ``references.yaml``; each page lists the references it cites. Every script
the pages load is served from ``_site/_static`` (see :mod:`classroom.publishing.site_vendor`), so the site works from a
local folder without a network.

    python -m classroom.publishing.site [--out DIR] [--timeout SECONDS] [--course DIR] [--no-cache] [NAME ...]

NAME selects notebooks by file name or prefix (``04``, ``05_management``). A notebook that fails prints
one line naming it and the failing cell, and the exit status is 1; nothing already written is lost.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter

from classroom.course_root import course_root
from classroom.grading.notebook_client import SlicedWaitClient
from classroom.publishing import site_pages, site_vendor
from classroom.publishing.site_pages import BIBLIOGRAPHY, HOME, Page

ROOT = course_root()
COURSE_DIR = ROOT / "course"
PACKAGE_DIR = COURSE_DIR / "osteonecrosis"
DEFAULT_OUT = ROOT / "_site"
DEFAULT_CACHE = ROOT / "build" / "site-cache"
KERNEL = "python3"


class SiteError(RuntimeError):
    """A notebook could not be read, executed or exported. The message is one line."""


@dataclass(frozen=True)
class Executed:
    path: Path
    notebook: nbformat.NotebookNode
    seconds: float
    cached: bool = False

    @property
    def title(self) -> str:
        return notebook_title(self.notebook, self.path)


def course_notebooks(course_dir: Path = COURSE_DIR, names: list[str] | None = None) -> list[Path]:
    """The course notebooks in teaching order (``NN_*.ipynb``, then the app's ``app/*.ipynb``), optionally
    only those matching ``names`` (file name, stem or prefix; ``app`` selects the app notebooks)."""
    numbered = sorted(p for p in course_dir.glob("[0-9][0-9]_*.ipynb") if p.is_file())
    app = sorted(p for p in (course_dir / "app").glob("*.ipynb") if p.is_file())
    found = numbered + app
    if not names:
        return found
    chosen: list[Path] = []
    for name in names:
        hits = [p for p in found if p.name == name or p.stem == name or p.name.startswith(name)
                or (name == "app" and p in app)]
        if not hits:
            known = ", ".join(p.stem for p in found) or "none"
            raise SiteError(f"no course notebook matches {name!r} (known: {known})")
        chosen += [p for p in hits if p not in chosen]
    return [p for p in found if p in chosen]


def page_name(path: Path) -> str:
    """The HTML file a notebook becomes (app notebooks get an ``app_`` prefix)."""
    return f"app_{path.stem}.html" if path.parent.name == "app" else f"{path.stem}.html"


def notebook_title(nb: nbformat.NotebookNode, path: Path) -> str:
    """The first Markdown heading of the notebook, or its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem.replace("_", " ")


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[-1] if lines else "error"


def execute(path: Path, timeout: int = 120) -> Executed:
    """Execute one notebook top to bottom in a fresh kernel (cwd = its folder), keeping widget state."""
    nb = _read(path)
    client = SlicedWaitClient(
        nb, timeout=timeout, kernel_name=KERNEL, store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines are not ours to print
    except CellExecutionError as exc:
        cell = next((i for i, c in enumerate(nb.cells, 1) if c.cell_type == "code"
                     and any(o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        ename = getattr(exc, "ename", "") or "error"
        evalue = getattr(exc, "evalue", "") or _first_line(str(exc))
        raise SiteError(f"{path.name}: cell {cell} failed: {ename}: {_first_line(evalue)}") from None
    except CellTimeoutError:
        raise SiteError(f"{path.name}: a cell ran longer than {timeout} s") from None
    except DeadKernelError:
        raise SiteError(f"{path.name}: the kernel died while executing") from None
    return Executed(path, nb, time.perf_counter() - start)


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for broken files
        raise SiteError(f"{path.name}: cannot read the notebook ({exc.__class__.__name__})") from None


def package_fingerprint(package_dir: Path = PACKAGE_DIR, lock: Path = ROOT / "requirements.lock") -> str:
    """A hash of everything a notebook's execution depends on besides the notebook: the ``osteonecrosis``
    package's code and knowledge files, the pinned dependency set and the Python version."""
    h = hashlib.sha256(platform.python_version().encode())
    files = sorted(p for p in package_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and p.suffix in {".py", ".yaml", ".yml", ".json", ".csv"})
    for f in [*files, lock]:
        if f.is_file():
            h.update(str(f.relative_to(f.parent if f == lock else package_dir)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def cache_path(path: Path, cache_dir: Path, fingerprint: str) -> Path:
    """Where the executed copy of ``path`` is kept: named by its stem and a hash of its bytes + fingerprint."""
    key = hashlib.sha256(path.read_bytes() + fingerprint.encode()).hexdigest()[:20]
    folder = "app_" if path.parent.name == "app" else ""
    return cache_dir / f"{folder}{path.stem}-{key}.ipynb"


def execute_cached(path: Path, cache_dir: Path | None, fingerprint: str, timeout: int = 120) -> Executed:
    """The executed notebook from the cache when the notebook and the package are unchanged; else execute it
    and cache the result (older cached copies of the same notebook are removed)."""
    if cache_dir is None:
        return execute(path, timeout)
    cached = cache_path(path, cache_dir, fingerprint)
    if cached.is_file():
        try:
            return Executed(path, nbformat.read(cached, as_version=4), 0.0, cached=True)
        except Exception:  # noqa: BLE001 - a damaged cache entry is simply executed again
            cached.unlink(missing_ok=True)
    done = execute(path, timeout)
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = cached.name.rsplit("-", 1)[0]
    for old in cache_dir.glob(f"{stem}-*.ipynb"):
        old.unlink()
    tmp = cached.with_suffix(".tmp")
    nbformat.write(done.notebook, tmp)
    tmp.replace(cached)
    return done


def exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the site's template and every script served from the site."""
    return HTMLExporter(template_name="osteo", extra_template_basedirs=[str(site_pages.TEMPLATES)],
                        require_js_url=site_vendor.REQUIRE_JS, widget_renderer_url=site_vendor.WIDGET_RENDERER,
                        mathjax_url="", jupyter_widgets_base_url="_static/vendor/")


def export_html(executed: Executed, site: dict | None = None, html_exporter: HTMLExporter | None = None) -> str:
    """The executed notebook as a page of the site (figures embedded, widget state included). ``site`` is the
    navigation context (:func:`classroom.publishing.site_pages.page_context`); alone, the page is its own site."""
    if site is None:
        href = page_name(executed.path)
        site = site_pages.page_context([Page(href, executed.title)], href)
    body, _ = (html_exporter or exporter()).from_notebook_node(
        executed.notebook, resources={"metadata": {"name": executed.title}, "site": site})
    return body


def index_html(pages: list[tuple[str, str]], title: str = site_pages.SITE_TITLE) -> str:
    """The site's home page: the notebooks in order, each a link (pairs of file name and title)."""
    listed = [Page(h, t) for h, t in pages]
    site = site_pages.page_context([Page(HOME, "Home"), *listed], HOME, title=title)
    return site_pages.render_plain(title, site_pages.index_body(listed), site)


@dataclass
class _Built:
    executed: list[Executed]
    search: list[dict[str, str]]
    cited_by: dict[str, list[Page]]


def build(out: Path = DEFAULT_OUT, names: list[str] | None = None, timeout: int = 120,
          course_dir: Path = COURSE_DIR, log: Callable[[str], object] = print,
          cache_dir: Path | None = DEFAULT_CACHE, vendor_cache: Path | None = None) -> list[Executed]:
    """Execute (or take from the cache) and export the course into ``out``: home page, one page per notebook,
    bibliography, search index and the vendored scripts. Raise SiteError (one line) at the first bad
    notebook; the pages already written stay."""
    from osteonecrosis import knowledge

    paths = course_notebooks(course_dir, names)
    if not paths:
        raise SiteError(f"no course notebooks found in {course_dir}")
    sources = [_read(p) for p in paths]
    nb_pages = [Page(page_name(p), ("App · " if p.parent.name == "app" else "") + notebook_title(nb, p))
                for p, nb in zip(paths, sources, strict=True)]
    contents = [Page(HOME, "Home"), *nb_pages, Page(BIBLIOGRAPHY, "Bibliography")]
    out.mkdir(parents=True, exist_ok=True)
    static = out / "_static"
    static.mkdir(exist_ok=True)
    try:
        site_vendor.install(out, vendor_cache or (cache_dir or DEFAULT_CACHE) / "npm")
    except site_vendor.VendorError as exc:
        raise SiteError(str(exc)) from None
    for f in site_pages.STATIC.iterdir():
        if f.is_file():
            shutil.copyfile(f, static / f.name)
    refs = knowledge.references()
    fingerprint = package_fingerprint()
    html_exporter = exporter()
    built = _Built([], site_pages.reference_documents(refs), {})
    for path, page in zip(paths, nb_pages, strict=True):
        ex = execute_cached(path, cache_dir, fingerprint, timeout)
        raw = export_html(ex, site_pages.page_context(contents, page.href), html_exporter)
        final, keys, docs = site_pages.process_page(raw, refs, page.href, page.title)
        (out / page.href).write_text(final, encoding="utf-8")
        for k in keys:
            built.cited_by.setdefault(k, []).append(page)
        built.search += docs
        built.executed.append(ex)
        log(f"site: {path.name} " + ("from the cache" if ex.cached else f"executed in {ex.seconds:.1f} s"))
    home = site_pages.render_plain(site_pages.SITE_TITLE, site_pages.index_body(nb_pages),
                                   site_pages.page_context(contents, HOME))
    (out / HOME).write_text(home, encoding="utf-8")
    bib = site_pages.render_plain("Bibliography", site_pages.references_body(refs, built.cited_by),
                                  site_pages.page_context(contents, BIBLIOGRAPHY))
    (out / BIBLIOGRAPHY).write_text(bib, encoding="utf-8")
    (static / "search-index.js").write_text(site_pages.search_index_js(built.search), encoding="utf-8")
    manifest = [{"notebook": ex.path.name, "page": page_name(ex.path), "title": ex.title,
                 "seconds": round(ex.seconds, 2), "cached": ex.cached} for ex in built.executed]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return built.executed


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        print(f"site: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m classroom.publishing.site", description="The course website (static HTML).")
    parser.add_argument("names", nargs="*", help="only these notebooks (file name or prefix, e.g. 04)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: _site/)")
    parser.add_argument("--timeout", type=int, default=120, help="per-cell timeout in seconds")
    parser.add_argument("--course", type=Path, default=COURSE_DIR, help="folder of the notebooks (default: course/)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="folder of executed notebooks (default: build/site-cache/)")
    parser.add_argument("--no-cache", action="store_true", help="execute every notebook again")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(f"--timeout: expected a positive number of seconds, got {args.timeout}")
    start = time.perf_counter()
    try:
        done = build(args.out, args.names, args.timeout, args.course,
                     cache_dir=None if args.no_cache else args.cache,
                     vendor_cache=args.cache / "npm")
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    fresh = [ex for ex in done if not ex.cached]
    print(f"site: {len(done)} pages ({len(fresh)} executed in {sum(ex.seconds for ex in fresh):.1f} s, "
          f"{len(done) - len(fresh)} from the cache), built in {time.perf_counter() - start:.1f} s "
          f"-> {args.out / HOME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
