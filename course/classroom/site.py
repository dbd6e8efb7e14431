"""``make site``: execute every course notebook headless and export a static HTML course to ``_site/``.

Figures are embedded in the pages (PNG data); widgets are saved with their state, so a reader's browser
shows them as they stood after execution (their initial state), without a kernel. ``index.html`` links
the notebooks in teaching order.

    python -m classroom.site [--out DIR] [--timeout SECONDS] [--course DIR] [NAME ...]

NAME selects notebooks by file name or prefix (``04``, ``05_management``). A notebook that fails prints
one line naming it and the failing cell, and the exit status is 1; nothing already written is lost.
"""

from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from classroom.notebook_client import SlicedWaitClient

ROOT = Path(__file__).resolve().parents[2]
COURSE_DIR = ROOT / "course"
DEFAULT_OUT = ROOT / "_site"
KERNEL = "python3"


class SiteError(RuntimeError):
    """A notebook could not be read, executed or exported. The message is one line."""


@dataclass(frozen=True)
class Executed:
    path: Path
    notebook: nbformat.NotebookNode
    seconds: float

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
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for broken files
        raise SiteError(f"{path.name}: cannot read the notebook ({exc.__class__.__name__})") from None
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


def export_html(executed: Executed) -> str:
    """The executed notebook as a standalone HTML page (figures embedded, widget state included)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(executed.notebook, resources={"metadata": {"name": executed.title}})
    return body


def index_html(pages: list[tuple[str, str]], title: str = "Osteonecrosis of the jaw: the course") -> str:
    """The site's index page: the notebooks in order, each a link (pairs of file name and title)."""
    items = "\n".join(
        f'    <li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in pages
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}}</style>
</head>
<body>
  <h1>{html.escape(title)}</h1>
  <p>A static copy of the course notebooks, executed once: figures are included and widgets are shown in
  their initial state. To answer the checks and use the widgets, open the notebooks in JupyterLab
  (<code>make lab</code>). This course teaches; it is not a clinical decision tool.</p>
  <ol>
{items}
  </ol>
</body>
</html>
"""


def build(out: Path = DEFAULT_OUT, names: list[str] | None = None, timeout: int = 120,
          course_dir: Path = COURSE_DIR, log=print) -> list[Executed]:
    """Execute and export the course into ``out``; raise SiteError (one line) at the first bad notebook."""
    paths = course_notebooks(course_dir, names)
    if not paths:
        raise SiteError(f"no course notebooks found in {course_dir}")
    out.mkdir(parents=True, exist_ok=True)
    done: list[Executed] = []
    for path in paths:
        ex = execute(path, timeout)
        (out / page_name(path)).write_text(export_html(ex), encoding="utf-8")
        done.append(ex)
        log(f"site: {path.name} executed in {ex.seconds:.1f} s")
    pages = [(page_name(ex.path), ex.title) for ex in done]
    (out / "index.html").write_text(index_html(pages), encoding="utf-8")
    manifest = [{"notebook": ex.path.name, "title": ex.title, "seconds": round(ex.seconds, 2)} for ex in done]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return done


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        print(f"site: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m classroom.site", description="Static HTML version of the course.")
    parser.add_argument("names", nargs="*", help="only these notebooks (file name or prefix, e.g. 04)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: _site/)")
    parser.add_argument("--timeout", type=int, default=120, help="per-cell timeout in seconds")
    parser.add_argument("--course", type=Path, default=COURSE_DIR, help="folder of the notebooks (default: course/)")
    args = parser.parse_args(argv)
    try:
        done = build(args.out, args.names, args.timeout, args.course)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    total = sum(ex.seconds for ex in done)
    print(f"site: {len(done)} notebooks in {total:.1f} s -> {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
