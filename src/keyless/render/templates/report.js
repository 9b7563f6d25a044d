// Filters and search for keyless reports: plain DOM, no network, no HTML built from data.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.check"));
  var shown = document.getElementById("shown");
  var search = document.getElementById("search");
  var account = document.getElementById("account");
  var check = document.getElementById("check");
  var severities = Array.prototype.slice.call(form.querySelectorAll("input[name=severity]"));
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function apply() {
    var wanted = {};
    severities.forEach(function (box) { wanted[box.value] = box.checked; });
    var needle = search.value.trim().toLowerCase();
    var visible = 0;
    rows.forEach(function (row, n) {
      var show = wanted[row.dataset.severity] === true &&
        (account.value === "" || row.dataset.account === account.value) &&
        (check.value === "" || row.dataset.check === check.value) &&
        (needle === "" || texts[n].indexOf(needle) !== -1);
      row.hidden = !show;
      if (show) { visible += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = group.querySelector("tr.finding:not([hidden])") === null;
    });
    shown.textContent = String(visible);
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
