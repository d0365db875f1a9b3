// Disputes pages: the workers formset's "add a worker" button and picking an employer from the suggestions.
(function () {
  "use strict";

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
