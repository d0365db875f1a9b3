// Disputes pages: the workers formset's "add a worker" button, the headcount that follows the workers entered,
// and picking an employer from the suggestions.
(function () {
  "use strict";

  // The headcount (涉及人数) follows the number of workers entered, unless the user typed a larger number
  // (a group names a few of its members). The server refuses a headcount smaller than the workers listed.
  var headcount = document.getElementById("id_headcount");
  var workerRows = function () {
    return document.querySelectorAll("#case-form [data-worker-rows] tbody tr:not(.empty-form)");
  };
  var workersEntered = function () {
    var count = 0;
    workerRows().forEach(function (row) {
      var removed = row.querySelector("input[name$='-DELETE']");
      if (removed && removed.checked) { return; }
      var filled = Array.prototype.some.call(
        row.querySelectorAll("input[name$='-name'], input[name$='-id_number']"),
        function (input) { return input.value.trim() !== ""; }
      );
      if (filled) { count += 1; }
    });
    return count;
  };
  var typed = 0;  // the larger number the user typed, kept while the workers entered are fewer
  var follow = function () {
    if (!headcount) { return; }
    var entered = workersEntered();
    var shown = Math.max(entered, typed);
    if (shown > 0) { headcount.value = String(shown); }
  };
  if (headcount) {
    var initial = parseInt(headcount.value, 10);
    if (initial > workersEntered()) { typed = initial; }  // an edit, or a form sent back: keep what was saved
    headcount.addEventListener("input", function () {
      var value = parseInt(headcount.value, 10);
      typed = isNaN(value) ? 0 : value;
    });
    headcount.addEventListener("change", function () {
      if (typed < workersEntered()) { typed = 0; follow(); }
    });
    var form = document.getElementById("case-form");
    if (form) {
      form.addEventListener("input", function (event) {
        if (event.target.closest("[data-worker-rows]")) { follow(); }
      });
      form.addEventListener("change", function (event) {
        if (event.target.closest("[data-worker-rows]")) { follow(); }
      });
    }
    follow();
  }

  // Clone the hidden empty row of the workers table (crispy's table_inline_formset) as a new form.
  document.querySelectorAll("[data-add-worker]").forEach(function (button) {
    button.addEventListener("click", function () {
      var total = document.getElementById("id_workers-TOTAL_FORMS");
      var template = document.querySelector("#case-form tr.empty-form");
      if (!total || !template) { return; }
      var index = parseInt(total.value, 10);
      var row = template.cloneNode(true);
      row.classList.remove("d-none", "empty-form");
      row.innerHTML = row.innerHTML.replace(/__prefix__/g, String(index));
      template.parentNode.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input[type=text]");
      if (first) { first.focus(); }
    });
  });

  // A click on a suggested enterprise fills in its name and credit code.
  document.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-pick-employer]");
    if (!choice) { return; }
    var name = document.getElementById("id_employer_name");
    var code = document.getElementById("id_employer_credit_code");
    if (name) { name.value = choice.dataset.name; }
    if (code) {
      code.value = choice.dataset.code;
      code.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var box = document.getElementById("employer-suggestions");
    if (box) { box.innerHTML = ""; }
  });
})();
