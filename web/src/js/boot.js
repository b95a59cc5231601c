// A classic (non-module) script that every page loads next to its module. If the module, or anything
// it imports (the client package), fails to load or run, the page would look fine and do nothing: this
// notices that the module never marked the page ready, says so, and disables the forms.
"use strict";

window.addEventListener("load", function checkReady() {
  if (document.documentElement.getAttribute("data-ready") === "true") return;
  var banner = document.getElementById("script-failure");
  if (banner) {
    banner.hidden = false;
    banner.focus();
  }
  var controls = document.querySelectorAll("main button, main input, main select, main textarea");
  for (var i = 0; i < controls.length; i += 1) controls[i].disabled = true;
});
