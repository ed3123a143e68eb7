// vsscare staff UI. Loaded with `defer`; no inline scripts (CSP script-src 'self').
"use strict";

(function () {
  // Every HTMX request echoes the session's CSRF token, which the server checks on unsafe methods.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta ? meta.getAttribute("content") : "";
    if (token) {
      event.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // When HTMX changes the address (filters), links that come back here must follow it.
  function refreshReturnLinks() {
    var here = window.location.pathname + window.location.search;
    document.querySelectorAll("a[data-return-here]").forEach(function (link) {
      var url = new URL(link.getAttribute("href"), window.location.origin);
      url.searchParams.set("next", here);
      link.setAttribute("href", url.pathname + url.search);
    });
  }

  document.addEventListener("htmx:pushedIntoHistory", refreshReturnLinks);
  document.addEventListener("htmx:replacedInHistory", refreshReturnLinks);
  window.addEventListener("popstate", refreshReturnLinks);

  // Q&A editor: a live character counter under fields with data-counter (the short answer).
  function updateCounter(field) {
    var out = document.getElementById(field.getAttribute("data-counter"));
    if (!out) {
      return;
    }
    var max = field.getAttribute("maxlength") || "";
    var count = Array.from(field.value.normalize("NFC")).length;
    var template = out.getAttribute("data-template") || "{n}/{max}";
    out.textContent = template.replace("{n}", String(count)).replace("{max}", max);
    out.classList.toggle("counter-full", max !== "" && count >= Number(max));
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-counter], input[data-counter]")) {
      updateCounter(event.target);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter]").forEach(updateCounter);
  });

  // Legal-basis picker: Enter searches instead of saving the form; "Thêm" appends the key once.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-picker-search]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-basis]") : null;
    var picker = button && button.closest("[data-picker-target]");
    var target = picker && document.getElementById(picker.getAttribute("data-picker-target"));
    if (!target) {
      return;
    }
    var key = button.getAttribute("data-add-basis");
    var keys = target.value.split(/\r?\n/).map(function (line) {
      return line.trim();
    }).filter(function (line) {
      return line !== "";
    });
    var present = keys.indexOf(key) !== -1;
    if (!present) {
      keys.push(key);
      target.value = keys.join("\n");
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var status = picker.querySelector("[data-picker-status]");
    var template = picker.getAttribute(present ? "data-present" : "data-added") || "{key}";
    if (status) {
      status.textContent = template.replace("{key}", key);
    }
  });

  // On a narrow screen the section bar scrolls sideways: keep the current section in view.
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector('.main-nav a[aria-current="page"]');
    var bar = current && current.closest("ul");
    if (bar && bar.scrollWidth > bar.clientWidth) {
      bar.scrollLeft = current.offsetLeft - (bar.clientWidth - current.offsetWidth) / 2;
    }
  });
})();
