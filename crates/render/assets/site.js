// designdoc static site: filters and sorting. Pages read fine without this script.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var table = document.getElementById("docs");
  if (table) {
    var fields = ["status", "author", "tag", "q"];
    var inputs = {};
    fields.forEach(function (f) {
      inputs[f] = document.getElementById("filter-" + f);
      if (inputs[f] && params.get(f)) { inputs[f].value = params.get(f); }
      if (inputs[f]) { inputs[f].addEventListener("input", apply); }
    });
    var index = window.DESIGNDOC_INDEX || [];
    var textById = {};
    index.forEach(function (d) { textById[d.url] = (d.title + " " + d.text).toLowerCase(); });
    function apply() {
      var status = (inputs.status && inputs.status.value || "").toLowerCase();
      var author = (inputs.author && inputs.author.value || "").toLowerCase();
      var tag = (inputs.tag && inputs.tag.value || "").toLowerCase();
      var q = (inputs.q && inputs.q.value || "").toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = (!status || row.dataset.status === status)
          && (!author || row.dataset.authors.indexOf(author) !== -1)
          && (!tag || row.dataset.tags.split(",").indexOf(tag) !== -1)
          && (!q || (textById[row.dataset.url] || row.dataset.title).indexOf(q) !== -1);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      var count = document.getElementById("shown-count");
      if (count) { count.textContent = String(shown); }
    }
    apply();
  }
  // Sortable tables: click a header button.
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (t) {
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, col) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var rows = Array.prototype.slice.call(t.tBodies[0].rows);
        var asc = th.getAttribute("aria-sort") !== "ascending";
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.sort || a.cells[col].textContent;
          var y = b.cells[col].dataset.sort || b.cells[col].textContent;
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { t.tBodies[0].appendChild(r); });
        Array.prototype.forEach.call(t.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      });
    });
  });
})();
