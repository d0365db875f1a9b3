// Venue edit page: "add a row" buttons for the inline formsets (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    var total = document.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (!template || !body || !total) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild && body.lastElementChild.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();

// Public finder: "sort by distance" asks the browser for the visitor's position only when clicked, then
// reloads the list with ?near=<lat>,<lng> rounded to 3 decimals (about 100 m: enough to sort, no closer).
(function () {
  "use strict";
  document.querySelectorAll("[data-sort-near]").forEach(function (button) {
    if (!navigator.geolocation) { return; }  // the button stays hidden: nothing to ask
    var status = document.getElementById(button.getAttribute("data-status"));
    var say = function (text) { if (status) { status.textContent = text || ""; } };
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      say(button.getAttribute("data-locating"));
      navigator.geolocation.getCurrentPosition(function (position) {
        var params = new URLSearchParams(window.location.search);
        params.set("near", position.coords.latitude.toFixed(3) + "," + position.coords.longitude.toFixed(3));
        params.delete("page");
        window.location.assign(window.location.pathname + "?" + params.toString());
      }, function () {
        button.disabled = false;
        say(button.getAttribute("data-failed"));
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  });
})();
