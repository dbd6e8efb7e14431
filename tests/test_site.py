"""`make site`: executed notebooks exported to static HTML with figures, widget state and an index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from classroom.site import SiteError, build, course_notebooks, index_html, page_name

from tests.conftest import COURSE, ROOT

FIGURE = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1], [0, 1])
ax.set_xlabel("time (months)")
plt.show()"""

WIDGET = """import ipywidgets as widgets
widgets.IntSlider(value=7, description="weeks")"""


def _mini_course(folder: Path, bad: bool = False) -> None:
    nb1 = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 00 First steps\n\nText."),
        nbformat.v4.new_code_cell(FIGURE),
    ])
    nb2 = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 01 A widget"),
        nbformat.v4.new_code_cell(WIDGET),
        nbformat.v4.new_code_cell("1 / 0" if bad else "print('fine')"),
    ])
    nbformat.write(nb1, folder / "00_first.ipynb")
    nbformat.write(nb2, folder / "01_widget.ipynb")
    (folder / "not_a_course_notebook.ipynb").write_text("{}", encoding="utf-8")


@pytest.mark.notebooks
def test_build_writes_pages_with_figures_widgets_and_index(tmp_path: Path) -> None:
    course, out = tmp_path / "course", tmp_path / "site"
    course.mkdir()
    _mini_course(course)
    done = build(out, course_dir=course, log=lambda *_: None)
    assert [ex.path.name for ex in done] == ["00_first.ipynb", "01_widget.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == ["00_first.html", "01_widget.html", "index.html", "manifest.json"]
    page1 = (out / "00_first.html").read_text(encoding="utf-8")
    assert "<img" in page1 and 'src="data:image/png;base64,' in page1  # the figure is embedded, no kernel needed
    page2 = (out / "01_widget.html").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" in page2  # widgets in their saved state
    assert "application/vnd.jupyter.widget-view+json" in page2
    assert '"value": 7' in page2 or '"value":7' in page2
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index('href="00_first.html"') < index.index('href="01_widget.html"')
    assert "00 First steps" in index and "not a clinical decision tool" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [m["notebook"] for m in manifest] == ["00_first.ipynb", "01_widget.ipynb"]


@pytest.mark.notebooks
def test_bad_notebook_gives_one_line_and_nonzero_exit(tmp_path: Path) -> None:
    course, out = tmp_path / "course", tmp_path / "site"
    course.mkdir()
    _mini_course(course, bad=True)
    proc = subprocess.run(
        [sys.executable, "-m", "classroom.site", "--course", str(course), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert "01_widget.ipynb" in err[0] and "ZeroDivisionError" in err[0] and "cell 3" in err[0]
    assert "Traceback" not in proc.stderr
    assert (out / "00_first.html").exists()  # the good page already written is kept


def test_unknown_name_and_broken_file(tmp_path: Path) -> None:
    _mini_course(tmp_path)
    with pytest.raises(SiteError, match="no course notebook matches '07'"):
        course_notebooks(tmp_path, ["07"])
    assert [p.name for p in course_notebooks(tmp_path, ["01"])] == ["01_widget.ipynb"]
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "simulators.ipynb").write_text("{}", encoding="utf-8")
    assert [p.name for p in course_notebooks(tmp_path)][-1] == "simulators.ipynb"  # the app comes last
    assert [page_name(p) for p in course_notebooks(tmp_path, ["app"])] == ["app_simulators.html"]
    (tmp_path / "02_broken.ipynb").write_text("{not json", encoding="utf-8")
    with pytest.raises(SiteError, match="02_broken.ipynb: cannot read the notebook"):
        build(tmp_path / "out", names=["02"], course_dir=tmp_path, log=lambda *_: None)
    proc = subprocess.run([sys.executable, "-m", "classroom.site", "--course", str(tmp_path), "99"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "99" in proc.stderr


def test_index_escapes_titles() -> None:
    page = index_html([("a.html", "Risk <by> drug & route")])
    assert "Risk &lt;by&gt; drug &amp; route" in page


@pytest.mark.notebooks
def test_real_course_notebook_04_exports_with_the_staging_widget(tmp_path: Path) -> None:
    if not (COURSE / "04_diagnosis_and_staging.ipynb").exists():
        pytest.fail("course/04_diagnosis_and_staging.ipynb is missing")
    build(tmp_path, names=["04"], log=lambda *_: None)
    page = (tmp_path / "04_diagnosis_and_staging.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "ToggleButtonsModel" in page  # the staging exercise, saved in its initial state
    assert 'href="04_diagnosis_and_staging.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")
