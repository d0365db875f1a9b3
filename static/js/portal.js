// The portal's own script: no inline handlers anywhere (the CSP forbids them).
(function () {
  "use strict";
  // htmx sends Django's CSRF token with every request it makes.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
  // Buttons marked data-print open the print dialog.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Buttons marked data-copy="<element id>" copy that element's text (the summary's narrative) and say so.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      var text = source.innerText.trim();
      var done = function () {
        var label = button.getAttribute("data-copied");
        if (label) { button.textContent = label; }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {  // plain http on an intranet: select the text and copy it the old way
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        if (document.execCommand("copy")) { done(); }
      }
    });
  });
  // Forms marked data-autosubmit submit when a field changes (filter bars).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.requestSubmit(); });
  });
  // The error summary of a refused form (templates/union_portal/_form_errors.html): focus goes to the first
  // bad field (or to the summary when the first message is about the whole form); its links focus their field.
  var focusField = function (id, keepInView) {
    var field = id && document.getElementById(id);
    if (field && !field.matches("input, select, textarea, button, [tabindex]")) {
      field = field.querySelector("input:not([type=hidden]), select, textarea") || field;  // a group of boxes
    }
    if (!field) { return false; }
    var collapsed = field.closest(".collapse:not(.show)");  // a folded section: open it first
    if (collapsed) { collapsed.classList.add("show"); }
    if (keepInView) { keepInView.scrollIntoView({ block: "start" }); }  // the summary stays in sight if it can
    var box = field.getBoundingClientRect();
    if (!keepInView || box.top < 0 || box.bottom > window.innerHeight) { field.scrollIntoView({ block: "center" }); }
    field.focus({ preventScroll: true });
    return document.activeElement === field;
  };
  document.querySelectorAll("[data-form-errors]").forEach(function (summary, index) {
    summary.querySelectorAll("a[data-focus-field]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (focusField(link.getAttribute("data-focus-field"))) { event.preventDefault(); }
      });
    });
    if (index > 0) { return; }
    var first = summary.querySelector("[data-testid=form-error]");
    var firstId = first && first.getAttribute("data-field");
    if (!focusField(firstId, summary)) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
  });
})();
