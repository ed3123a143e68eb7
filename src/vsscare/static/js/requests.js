// Agent workspace: queue navigation, action dialogs, reply box helpers and keyboard shortcuts.
// Loaded with `defer` by the workspace pages; no inline scripts (CSP script-src 'self').
"use strict";

(function () {
  document.documentElement.classList.add("js");

  // -- helpers ---------------------------------------------------------------------------------

  function typing(target) {
    if (!target || !target.closest) {
      return false;
    }
    return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function focusFirst(dialog) {
    var first = dialog.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  // A dialog's form is fetched when it first opens (the page stays light); if that fails, the
  // link left in the dialog opens the action's own page.
  function loadForm(dialog) {
    var body = dialog.querySelector(".ws-dialog-body[data-src]");
    if (!body || body.getAttribute("data-loaded")) {
      return;
    }
    body.setAttribute("data-loaded", "1");
    fetch(body.getAttribute("data-src"), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        if (dialog.open) {
          focusFirst(dialog);
        }
      })
      .catch(function () {
        body.removeAttribute("data-loaded");
      });
  }

  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (!dialog || typeof dialog.showModal !== "function") {
      return false;
    }
    if (dialog.open) {
      dialog.close();
    }
    dialog.showModal();
    loadForm(dialog);
    focusFirst(dialog);
    return true;
  }

  // -- dialogs: links with data-dialog open them; without JS the links open the action's page ----

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) {
      return;
    }
    var opener = target.closest("[data-dialog]");
    if (opener && openDialog(opener.getAttribute("data-dialog"))) {
      event.preventDefault();
      return;
    }
    var closer = target.closest("[data-close]");
    if (closer && closer.closest("dialog")) {
      closer.closest("dialog").close();
      return;
    }
    var insert = target.closest("[data-insert]");
    if (insert) {
      insertText(insert.getAttribute("data-insert"));
    }
  });

  // A dialog whose action was refused comes back open (readable without JS): make it modal.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("dialog[data-modal][open]").forEach(function (dialog) {
      dialog.close();
      dialog.showModal();
    });
  });

  // -- reply box -----------------------------------------------------------------------------------

  function chooseKind(kind) {
    var radio = document.getElementById(kind === "note" ? "kind-note" : "kind-reply");
    if (radio && !radio.disabled) {
      radio.checked = true;
    }
    var box = document.getElementById("reply-body");
    if (box) {
      box.focus();
    }
    return Boolean(box);
  }

  // Puts a suggestion or canned response into the reply box, at the cursor.
  function insertText(text) {
    var box = document.getElementById("reply-body");
    if (!box || !text) {
      return;
    }
    chooseKind("reply");
    var start = box.selectionStart;
    var end = box.selectionEnd;
    var before = box.value.slice(0, start);
    var after = box.value.slice(end);
    var glue = before && !/\n$/.test(before) ? "\n" : "";
    box.value = before + glue + text + after;
    var caret = (before + glue + text).length;
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  }

  // -- lists filtered as one types (canned responses) ------------------------------------------------

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-filter-list]")) {
      return;
    }
    var wanted = fold(input.value).trim();
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) {
      return;
    }
    list.querySelectorAll("li[data-filter-text]").forEach(function (item) {
      item.hidden = wanted !== "" && fold(item.getAttribute("data-filter-text")).indexOf(wanted) === -1;
    });
  });

  // -- the queue -----------------------------------------------------------------------------------

  // Filters refresh the list as they change, but the search box waits for Enter: its "change" on
  // leaving the box would send a second, identical request after the one Enter sent.
  document.addEventListener(
    "change",
    function (event) {
      if (event.target.id === "queue-q") {
        event.stopPropagation();
      }
    },
    true
  );

  // j / k move the selection, Enter / o open it.

  var selected = -1;

  function rows() {
    return Array.from(document.querySelectorAll("[data-queue] tr[data-href]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) {
      return;
    }
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("is-selected", i === selected);
      row.setAttribute("aria-current", i === selected ? "true" : "false");
    });
    all[selected].scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    var all = rows();
    if (selected < 0 || selected >= all.length) {
      return false;
    }
    window.location.href = all[selected].getAttribute("data-href");
    return true;
  }

  document.addEventListener("htmx:afterSwap", function () {
    selected = -1;
  });

  // -- keyboard shortcuts (never while typing in a field) -------------------------------------------

  function submitForm(id) {
    var form = document.getElementById(id);
    if (!form) {
      return false;
    }
    form.requestSubmit();
    return true;
  }

  var keys = {
    j: function () { select(selected + 1); return rows().length > 0; },
    k: function () { select(selected <= 0 ? 0 : selected - 1); return rows().length > 0; },
    o: openSelected,
    Enter: openSelected,
    r: function () { return chooseKind("reply"); },
    n: function () { return chooseKind("note"); },
    a: function () { return submitForm("assign-me-form"); },
    t: function () { return openDialog("dlg-transfer"); },
    e: function () { return openDialog("dlg-escalate"); },
    s: function () { return openDialog("dlg-resolve"); },
    "?": function () { return openDialog("dlg-shortcuts"); },
    "/": function () {
      var search = document.getElementById("queue-q");
      if (search) {
        search.focus();
        search.select();
      } else {
        window.location.href = "/console/requests";
      }
      return true;
    },
  };

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.id === "reply-body") {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && target.id === "queue-q") {
      event.preventDefault(); // leave the box for the shortcuts, keeping what was searched
      target.blur();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (typing(target) || document.querySelector("dialog[open]")) {
      return;
    }
    if (event.key === "Enter" && target.closest && target.closest("a, button, summary")) {
      return; // the focused link or button does its own thing
    }
    var action = keys[event.key];
    if (action && action()) {
      event.preventDefault();
    }
  });
})();
