// The workspace's only script: small conveniences on top of plain forms, which
// all work without it. Loaded from a file (the CSP allows no inline script).
"use strict";

(function () {
  // Destructive buttons ask first.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Evidence rows: add another (a copy of the last, emptied) or remove one.
  function setUpEvidence() {
    var rows = document.querySelector("[data-evidence-rows]");
    var add = document.querySelector("[data-add-evidence]");
    if (!rows || !add) return;
    add.hidden = false;
    function showRemove() {
      rows.querySelectorAll("[data-remove-row]").forEach(function (b) {
        b.hidden = rows.children.length < 2;
      });
    }
    add.addEventListener("click", function () {
      var last = rows.lastElementChild;
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      copy.querySelectorAll("select").forEach(function (select) { select.value = "other"; });
      rows.appendChild(copy);
      showRemove();
      copy.querySelector("input").focus();
    });
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (button && rows.children.length > 1) {
        button.closest("[data-evidence-row]").remove();
        showRemove();
      }
    });
    showRemove();
  }

  // Shown-once secrets get a copy button.
  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = button.parentElement.querySelector("[data-copy-source]");
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  // Times arrive in UTC; show them in the reader's own time zone and language.
  function localTimes() {
    var format = new Intl.DateTimeFormat(undefined, {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"
    });
    document.querySelectorAll("time.when[datetime]").forEach(function (node) {
      var moment = new Date(node.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      node.title = node.textContent;  // the UTC wording stays one hover away
      node.textContent = format.format(moment);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpEvidence();
    setUpCopy();
    localTimes();
  });
})();
