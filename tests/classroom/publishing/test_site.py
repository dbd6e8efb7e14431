"""`make site`: the course website. Pages with figures and widget state, contents and previous/next links,
a search index, a bibliography the citations link to, vendored scripts (no CDN) and cached execution; then,
in Chromium, the built course opened from a local folder with the network cut off."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import nbformat
import pytest
from classroom.publishing import site, site_pages, site_vendor
from classroom.publishing.site import SiteError, build, course_notebooks, index_html, page_name
from classroom.publishing.site_pages import Page
from osteonecrosis import knowledge

from tests.conftest import ROOT
from tests.support import browser

FIGURE = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1], [0, 1])
ax.set_xlabel("time (months)")
plt.show()"""

WIDGET = """import ipywidgets as widgets
widgets.IntSlider(value=7, description="weeks")"""

CDN_HOSTS = ("unpkg.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net", "mathjax")


def _mini_course(folder: Path, bad: bool = False) -> None:
    nb1 = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 00 First steps\n\nText citing aaoms2022.\n\n## Drug holiday\n\nA section."),
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


def _quiet(*_args: object) -> None:
    return None


@pytest.fixture(scope="module")
def vendor_cache() -> Path:
    """The npm tarballs, fetched once for the whole test run (and kept across runs in build/)."""
    return ROOT / "build" / "site-cache" / "npm"


# ------------------------------------------------------------------------------------------- pure parts
def test_page_context_gives_contents_and_neighbours() -> None:
    pages = [Page("index.html", "Home"), Page("a.html", "A"), Page("references.html", "Bibliography")]
    first = site_pages.page_context(pages, "index.html")
    assert first["prev"] is None and first["next"] == {"href": "a.html", "title": "A"}
    middle = site_pages.page_context(pages, "a.html")
    assert middle["prev"]["href"] == "index.html" and middle["next"]["href"] == "references.html"
    assert site_pages.page_context(pages, "references.html")["next"] is None
    assert [p["href"] for p in middle["pages"]] == ["index.html", "a.html", "references.html"]
    with pytest.raises(ValueError, match="not in the site's contents"):
        site_pages.page_context(pages, "b.html")


def test_citations_link_in_text_but_not_in_code_and_widget_sources_count() -> None:
    page = ("<html><body><main><p>As aaoms2022 says (and mascc2019).</p>"
            '<div class="jp-InputArea"><div class="jp-InputArea-editor"><div>x = "aaoms2014"</div></div></div>'
            "<p>not_a_key and aaoms2022x stay text</p>"
            '<script type="application/vnd.jupyter.widget-state+json">{"value": "Sources: ects2022"}</script>'
            "</main></body></html>")
    out, cited = site_pages.link_citations(page, knowledge.references())
    assert cited == ["aaoms2022", "mascc2019", "ects2022"]
    assert '<a class="osteo-cite" href="references.html#ref-aaoms2022">aaoms2022</a>' in out
    assert 'href="references.html#ref-aaoms2014"' not in out          # code is left alone
    assert "aaoms2022x stay text" in out
    assert '{"value": "Sources: ects2022"}' in out                    # widget state untouched
    section = site_pages.cited_html(cited, knowledge.references())
    assert section.count("<li>") == 3 and "Ruggiero" in section


def test_search_documents_follow_the_headings() -> None:
    page = ('<main><nav>contents</nav><h1 id="T">Title<a class="anchor-link">¶</a></h1><p>Intro text.</p>'
            '<div class="jp-InputArea"><div class="jp-InputPrompt">In [1]:</div>'
            '<div class="jp-InputArea-editor">code_here()</div></div><h2 id="Drug-holiday">Drug holiday</h2>'
            "<p>Stopping a bisphosphonate.</p><script>var x;</script></main>")
    docs = site_pages.search_documents(page, "01.html", "01 Drugs")
    assert [(d["href"], d["section"]) for d in docs] == [("01.html#T", "Title"),
                                                         ("01.html#Drug-holiday", "Drug holiday")]
    assert docs[0]["text"] == "Intro text." and "code_here" not in json.dumps(docs)
    js = site_pages.search_index_js([{"id": "a", "text": "</script>"}])
    assert js.startswith("window.OSTEO_SEARCH = ") and "</script>" not in js


def test_process_page_links_lists_and_indexes_in_one_pass() -> None:
    page = ('<main><nav class="osteo-pager">Next: x</nav><h1 id="T">T</h1><p>See aaoms2022.</p>'
            f"{site_pages.CITED_MARKER}</main>")
    out, cited, docs = site_pages.process_page(page, knowledge.references(), "p.html", "P")
    assert cited == ["aaoms2022"] and site_pages.CITED_MARKER not in out
    assert "References cited on this page" in out and 'href="references.html#ref-aaoms2022"' in out
    assert docs == [{"id": "p.html#T", "href": "p.html#T", "title": "P", "section": "T", "text": "See aaoms2022."}]


def test_bibliography_lists_every_reference_with_back_links() -> None:
    refs = knowledge.references()
    body = site_pages.references_body(refs, {"aaoms2022": [Page("04.html", "04 Staging")]})
    assert body.count("<li id=\"ref-") == len(refs)
    entry = body[body.index('id="ref-aaoms2022"'):].split("</li>")[0]
    assert 'Cited in: <a href="04.html">04 Staging</a>' in entry and "guideline" in entry
    unverified = [k for k, r in refs.items() if r.verification == "unverified"]
    if unverified:
        assert "never an answer key" in body[body.index(f'id="ref-{unverified[0]}"'):].split("</li>")[0]


def test_index_escapes_titles_and_has_the_site_frame() -> None:
    page = index_html([("a.html", "Risk <by> drug & route")])
    assert "Risk &lt;by&gt; drug &amp; route" in page
    assert 'id="osteo-search-input"' in page and 'rel="next" href="a.html"' in page
    assert "not a clinical decision tool" in page


def _fake_package(tmp_path: Path) -> tuple[site_vendor.NpmAsset, Path]:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("package/dist/a.js", b"define([], 1)"), ("package/dist/f.woff2", b"font"),
                           ("package/LICENSE", b"MIT")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    tgz = tmp_path / "fake-1.0.0.tgz"
    tgz.write_bytes(buf.getvalue())
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(buf.getvalue()).digest()).decode()
    asset = site_vendor.NpmAsset("fake", "1.0.0", integrity, ("dist/a.js", "dist/*.woff2", "LICENSE"),
                                 ("x/dist", "x"))
    return asset, tgz


def test_vendored_package_is_checked_and_extracted(tmp_path: Path) -> None:
    asset, tgz = _fake_package(tmp_path)
    assert site_vendor.fetch_npm(asset, tmp_path) == tgz                  # in the cache: no npm, no network
    written = site_vendor._extract(asset, tgz, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "x/LICENSE", "x/a.js", "x/dist/LICENSE", "x/dist/a.js", "x/dist/f.woff2", "x/f.woff2"]
    bad = site_vendor.NpmAsset("fake", "1.0.0", "sha512-AAAA", asset.files, asset.dest)
    with pytest.raises(site_vendor.VendorError, match="integrity mismatch"):
        site_vendor.fetch_npm(bad, tmp_path)
    assert not tgz.exists()                                               # a bad download is not kept
    missing = site_vendor.NpmAsset("fake", "1.0.0", asset.integrity, ("dist/nope.js",), ("x",))
    _asset, tgz = _fake_package(tmp_path)
    with pytest.raises(site_vendor.VendorError, match="no file dist/nope.js"):
        site_vendor._extract(missing, tgz, tmp_path / "out")


def test_a_shared_cache_never_shows_a_half_written_tarball(tmp_path: Path, monkeypatch) -> None:
    """Two builds share the npm cache (parallel test workers did): while ``npm pack`` writes, the cache holds no
    tarball under its final name, and a tarball cut short is refused in one line, never half-extracted."""
    (tmp_path / "src").mkdir()
    asset, built = _fake_package(tmp_path / "src")
    whole = built.read_bytes()
    cache = tmp_path / "cache"
    seen_while_writing = []

    def fake_npm_pack(cmd, **_kw):  # writes in two halves, as a slow download would
        dest = Path(cmd[cmd.index("--pack-destination") + 1])
        with open(dest / asset.tarball, "wb") as fh:
            fh.write(whole[: len(whole) // 2])
            fh.flush()
            seen_while_writing.append((cache / asset.tarball).exists())
            fh.write(whole[len(whole) // 2:])
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(site_vendor.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(site_vendor.subprocess, "run", fake_npm_pack)
    tgz = site_vendor.fetch_npm(asset, cache)
    assert seen_while_writing == [False] and tgz.read_bytes() == whole
    assert sorted(p.name for p in cache.iterdir()) == [asset.tarball]          # no leftover private folder
    tgz.write_bytes(whole[: len(whole) // 2])                                  # cut short after the check
    with pytest.raises(site_vendor.VendorError, match="integrity mismatch"):
        site_vendor._extract(asset, tgz, tmp_path / "out")


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
        build(tmp_path / "out", names=["02"], course_dir=tmp_path, log=_quiet, cache_dir=None)
    proc = subprocess.run([sys.executable, "-m", "classroom.publishing.site", "--course", str(tmp_path), "99"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "99" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "classroom.publishing.site", "--timeout", "0"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--timeout" in proc.stderr


# ----------------------------------------------------------------------------------- executed mini course
@pytest.mark.notebooks
def test_build_writes_the_site_without_cdn_and_caches_execution(tmp_path: Path, vendor_cache: Path) -> None:
    course, out, cache = tmp_path / "course", tmp_path / "site", tmp_path / "cache"
    course.mkdir()
    _mini_course(course)
    done = build(out, course_dir=course, log=_quiet, cache_dir=cache, vendor_cache=vendor_cache)
    assert [(ex.path.name, ex.cached) for ex in done] == [("00_first.ipynb", False), ("01_widget.ipynb", False)]
    names = sorted(p.name for p in out.iterdir())
    assert names == ["00_first.html", "01_widget.html", "@jupyter-widgets", "_static", "index.html",
                     "manifest.json", "references.html"]
    page1 = (out / "00_first.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page1                        # the figure is embedded
    assert 'href="references.html#ref-aaoms2022"' in page1 and "References cited on this page" in page1
    assert 'class="osteo-next" href="01_widget.html" rel="next"' in page1
    assert 'class="osteo-prev" href="index.html" rel="prev"' in page1
    page2 = (out / "01_widget.html").read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" in page2 and '"value": 7' in page2
    assert '"@jupyter-widgets/html-manager/dist/embed-amd.js"' in page2.replace("'", '"')
    for page in (out / "index.html", out / "references.html", out / "00_first.html", out / "01_widget.html"):
        text = page.read_text(encoding="utf-8")
        assert not any(host in text for host in CDN_HOSTS), f"{page.name} loads something from a CDN"
    for needed in ("_static/vendor/require.min.js", "_static/vendor/lunr.min.js", "_static/site.js",
                   "_static/site.css", "_static/search-index.js", "@jupyter-widgets/html-manager/dist/embed-amd.js"):
        assert (out / needed).is_file(), needed
    search = (out / "_static/search-index.js").read_text(encoding="utf-8")
    assert "00_first.html#Drug-holiday" in search and "references.html#ref-aaoms2022" in search
    bib = (out / "references.html").read_text(encoding="utf-8")
    assert 'Cited in: <a href="00_first.html">00 First steps</a>' in bib

    # unchanged: both from the cache, identical pages
    again = build(out, course_dir=course, log=_quiet, cache_dir=cache, vendor_cache=vendor_cache)
    assert [ex.cached for ex in again] == [True, True]
    assert (out / "00_first.html").read_text(encoding="utf-8") == page1
    # one notebook changed: only it runs again
    nb = nbformat.read(course / "01_widget.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('new cell')"))
    nbformat.write(nb, course / "01_widget.ipynb")
    third = build(out, course_dir=course, log=_quiet, cache_dir=cache, vendor_cache=vendor_cache)
    assert [ex.cached for ex in third] == [True, False]
    assert len(list(cache.glob("01_widget-*.ipynb"))) == 1               # the stale copy is gone
    # the package changed: everything runs again
    key_now = site.cache_path(course / "00_first.ipynb", cache, site.package_fingerprint())
    key_other = site.cache_path(course / "00_first.ipynb", cache, site.package_fingerprint() + "x")
    assert key_now != key_other
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(m["notebook"], m["cached"]) for m in manifest] == [("00_first.ipynb", True), ("01_widget.ipynb", False)]


def test_package_fingerprint_follows_the_package(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1", encoding="utf-8")
    (pkg / "k.yaml").write_text("a: 1", encoding="utf-8")
    lock = tmp_path / "requirements.lock"
    lock.write_text("numpy==2", encoding="utf-8")
    first = site.package_fingerprint(pkg, lock)
    assert site.package_fingerprint(pkg, lock) == first
    (pkg / "k.yaml").write_text("a: 2", encoding="utf-8")
    second = site.package_fingerprint(pkg, lock)
    assert second != first
    lock.write_text("numpy==3", encoding="utf-8")
    assert site.package_fingerprint(pkg, lock) != second


@pytest.mark.notebooks
def test_bad_notebook_gives_one_line_and_nonzero_exit(tmp_path: Path) -> None:
    course, out = tmp_path / "course", tmp_path / "site"
    course.mkdir()
    _mini_course(course, bad=True)
    proc = subprocess.run(
        [sys.executable, "-m", "classroom.publishing.site", "--course", str(course), "--out", str(out), "--no-cache"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert "01_widget.ipynb" in err[0] and "ZeroDivisionError" in err[0] and "cell 3" in err[0]
    assert "Traceback" not in proc.stderr
    assert (out / "00_first.html").exists()  # the good page already written is kept


# ------------------------------------------------------------------- the real course, offline in Chromium
RENDERED_JS = """() => {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const rendered = views.filter(v => {
        const box = v.previousElementSibling;
        return box && box.classList.contains('widget-subarea') && box.querySelector('.jupyter-widgets, .lm-Widget')
            && box.getBoundingClientRect().height > 0;
    });
    const images = [...document.querySelectorAll('img')];
    return {views: views.length, rendered: rendered.length,
            brokenImages: images.filter(i => i.complete && i.naturalWidth === 0).length,
            pendingImages: images.filter(i => !i.complete).length};
}"""


ALL_RENDERED_JS = """() => [...document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]')].every(s => s.previousElementSibling
    && s.previousElementSibling.classList.contains('widget-subarea')
    && s.previousElementSibling.querySelector('.jupyter-widgets, .lm-Widget'))"""


@pytest.fixture(scope="module")
def course_site(tmp_path_factory, vendor_cache: Path) -> Path:
    """The whole course built once (execution cached in build/site-cache across runs)."""
    browser.require_chromium()
    out = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    done = build(out, log=_quiet, vendor_cache=vendor_cache)
    print(f"\nsite: {len(done)} pages, {sum(not ex.cached for ex in done)} executed, "
          f"built in {time.perf_counter() - start:.1f} s")
    return out


def _contents(out: Path) -> list[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return ["index.html", *[m["page"] for m in manifest], "references.html"]


@pytest.mark.browser
@pytest.mark.notebooks
def test_offline_every_widget_output_renders_on_every_page(course_site: Path) -> None:
    """Opened from a local folder with every non-file request aborted: every saved widget view is rendered
    by the vendored HTML manager, every image loads, no control's text is cut, and no page even tries to
    reach the network."""
    pages = _contents(course_site)
    assert len(pages) == len(course_notebooks()) + 2
    with browser.chromium(viewport=(1300, 900)) as page:
        blocked = browser.block_network(page)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        total = 0
        for name in pages:
            page.goto((course_site / name).as_uri())
            page.wait_for_function(ALL_RENDERED_JS, timeout=60_000)
            page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=30_000)
            state = page.evaluate(RENDERED_JS)
            assert state["rendered"] == state["views"], (name, state)
            assert state["brokenImages"] == 0, (name, state)
            total += state["views"]
            for box in page.locator(".osteo-widget").all():           # no control text cut short
                assert page.evaluate(browser.CUT_TEXT_JS, box.element_handle()) == [], name
        assert total >= 10, "the course should have widgets to render"
        assert blocked == [], f"pages tried to reach the network: {blocked[:5]}"
        assert errors == [], errors[:3]


@pytest.mark.browser
@pytest.mark.notebooks
def test_next_and_previous_walk_every_page(course_site: Path) -> None:
    expected = _contents(course_site)
    with browser.chromium(viewport=(1300, 900)) as page:
        browser.block_network(page)
        page.goto((course_site / "index.html").as_uri())
        seen = [Path(page.url).name]
        while page.locator("a.osteo-next").count():
            page.locator(".osteo-pager-bottom a.osteo-next").click()
            page.wait_for_load_state()
            seen.append(Path(page.url.split("#")[0]).name)
            assert len(seen) <= len(expected), seen
        assert seen == expected
        back = [seen[-1]]
        while page.locator("a.osteo-prev").count():
            page.locator(".osteo-pager-top a.osteo-prev").click()
            page.wait_for_load_state()
            back.append(Path(page.url).name)
            assert len(back) <= len(expected), back
        assert back == list(reversed(expected))
        # the sidebar lists every page, with the current one marked
        page.goto((course_site / expected[3]).as_uri())
        assert [Path(h).name for h in page.locator(".osteo-toc a").evaluate_all("as => as.map(a => a.href)")] \
            == expected
        assert page.locator(".osteo-toc .osteo-current a").get_attribute("href") == expected[3]


@pytest.mark.browser
@pytest.mark.notebooks
def test_search_finds_sections_and_references_and_a_citation_leads_to_the_bibliography(course_site: Path) -> None:
    with browser.chromium(viewport=(1300, 900)) as page:
        browser.block_network(page)
        page.goto((course_site / "index.html").as_uri())
        box = page.locator("#osteo-search-input")
        box.fill("holiday")
        hits = page.locator("#osteo-search-results li a")
        hits.first.wait_for(timeout=10_000)
        targets = hits.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert any(t.startswith("01_") for t in targets), targets
        hits.first.click()
        page.wait_for_load_state()
        assert "holiday" in page.inner_text("main").lower()
        box = page.locator("#osteo-search-input")
        box.fill("Ruggiero")
        page.locator("#osteo-search-results li a[href^='references.html#ref-aaoms']").first.wait_for(timeout=10_000)
        box.fill("zzzqqxx")
        page.locator("#osteo-search-results .osteo-no-hit").wait_for(timeout=10_000)
        # a citation in a notebook page links to its entry in the bibliography
        page.goto((course_site / "04_diagnosis_and_staging.html").as_uri())
        link = page.locator("a.osteo-cite[href='references.html#ref-aaoms2022']").first
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith("references.html#ref-aaoms2022")
        assert "Ruggiero" in page.locator("#ref-aaoms2022").inner_text()
        assert page.locator("#ref-aaoms2022 a[href='04_diagnosis_and_staging.html']").count() == 1


@pytest.mark.browser
@pytest.mark.notebooks
def test_first_figure_of_each_notebook_screenshot(course_site: Path) -> None:
    """Screenshots of each notebook's first figure (a plot or a widget's figure) into build/screenshots/."""
    names = [n for n in _contents(course_site) if n not in ("index.html", "references.html")]
    with browser.chromium(viewport=(1300, 900)) as page:
        browser.block_network(page)
        for name in names:
            page.goto((course_site / name).as_uri())
            page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=30_000)
            figure = page.locator(".jp-RenderedImage img, img.osteo-figure, .widget-subarea img").first
            if figure.count() == 0:                       # no figure at all (the primer): its first output
                figure = page.locator(".jp-OutputArea-output").first
            figure.scroll_into_view_if_needed()
            path = browser.save_png(figure, f"site-{Path(name).stem}-first-figure")
            assert path.stat().st_size > 2000
        page.goto((course_site / "index.html").as_uri())
        browser.save_png(page, "site-index")
