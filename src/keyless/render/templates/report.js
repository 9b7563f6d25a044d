// Filters and search for keyless reports: plain DOM, no network, no HTML built from data.
// The form names what it filters (data-rows, data-groups); each check-box group keeps the
// rows whose data-NAME is checked, each select[data-field] the rows whose data-FIELD
// equals its value, and the search box the rows whose text holds what was typed.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  function all(root, selector) {
    return selector ? Array.prototype.slice.call(root.querySelectorAll(selector)) : [];
  }
  var rowSelector = form.dataset.rows;
  var rows = all(document, rowSelector);
  var groups = all(document, form.dataset.groups);
  var shown = document.getElementById("shown");
  var search = document.getElementById("search");
  var selects = all(form, "select[data-field]");
  var boxes = all(form, "input[type=checkbox][name]");
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });

  function apply() {
    var wanted = {};
    boxes.forEach(function (box) {
      wanted[box.name] = wanted[box.name] || {};
      wanted[box.name][box.value] = box.checked;
    });
    var needle = search.value.trim().toLowerCase();
    var visible = 0;
    rows.forEach(function (row, n) {
      var show = Object.keys(wanted).every(function (name) {
        return wanted[name][row.dataset[name]] === true;
      }) && selects.every(function (select) {
        return select.value === "" || row.dataset[select.dataset.field] === select.value;
      }) && (needle === "" || texts[n].indexOf(needle) !== -1);
      row.hidden = !show;
      if (show) { visible += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = all(group, rowSelector).every(function (row) { return row.hidden; });
    });
    shown.textContent = String(visible);
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
