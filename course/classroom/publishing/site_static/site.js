/* Course website search: lunr over the sections of every page (search-index.js sets OSTEO_SEARCH).
   Works from a local folder (file://) and offline: nothing is fetched. */
(function () {
  "use strict";
  var docs = window.OSTEO_SEARCH || [];
  var input = document.getElementById("osteo-search-input");
  var list = document.getElementById("osteo-search-results");
  if (!input || !list || typeof lunr === "undefined") { return; }
  var byId = {};
  var index = lunr(function () {
    this.ref("id");
    this.field("title", { boost: 8 });
    this.field("section", { boost: 4 });
    this.field("text");
    this.metadataWhitelist = ["position"];
    var builder = this;
    docs.forEach(function (d) { byId[d.id] = d; builder.add(d); });
  });
  function snippet(d, terms) {
    var text = d.text, low = text.toLowerCase(), at = -1;
    terms.some(function (t) { at = low.indexOf(t); return at >= 0; });
    var start = Math.max(0, at - 60);
    return (start > 0 ? "…" : "") + text.slice(start, start + 160) + (text.length > start + 160 ? "…" : "");
  }
  function search(q) {
    var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { return []; }
    // Each word as typed (stemmed by lunr, so "studies" finds "study") and as a prefix (while typing).
    var query = terms.map(function (t) {
      var w = t.replace(/[:~^*+\-]/g, "");
      return w ? w + " " + w + "*" : "";
    }).join(" ").trim();
    if (!query) { return []; }
    try { return index.search(query); } catch (e) { return index.search(terms.join(" ")); }
  }
  function show() {
    var q = input.value.trim();
    list.innerHTML = "";
    if (!q) { return; }
    var hits = search(q).slice(0, 12);
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "osteo-no-hit";
      none.textContent = "No page mentions “" + q + "”.";
      list.appendChild(none);
      return;
    }
    var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    hits.forEach(function (h) {
      var d = byId[h.ref];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d.href;
      a.textContent = d.title + (d.section && d.section !== d.title ? " › " + d.section : "");
      var small = document.createElement("small");
      small.textContent = snippet(d, terms);
      li.appendChild(a);
      li.appendChild(small);
      list.appendChild(li);
    });
  }
  input.addEventListener("input", show);
  var fromUrl = new URLSearchParams(window.location.search).get("q");
  if (fromUrl) { input.value = fromUrl; show(); }
})();
