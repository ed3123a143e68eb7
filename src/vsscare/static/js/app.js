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

  // On a narrow screen the section bar scrolls sideways: keep the current section in view.
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector('.main-nav a[aria-current="page"]');
    var bar = current && current.closest("ul");
    if (bar && bar.scrollWidth > bar.clientWidth) {
      bar.scrollLeft = current.offsetLeft - (bar.clientWidth - current.offsetWidth) / 2;
    }
  });
})();
