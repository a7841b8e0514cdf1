/* Keyboard shortcuts for Interview Trainer.
 *
 * Every shortcut is a visible button or link carrying data-keys="KEY ...": pressing a
 * key clicks the first such element, so the keyboard and the mouse take the same path
 * (and htmx handles the request). Lives in our own static file because the
 * Content-Security-Policy forbids inline scripts and eval.
 */
(function () {
  "use strict";

  var busy = false;
  var settling = false; /* new content swapped in, not yet bound by htmx */
  var pending = null; /* a key pressed while settling, run once settled */
  var swaps = 0;

  /* Keys a focused checkbox or radio uses itself: Space ticks, arrows move a radio
   * group. Those never fire a page shortcut there; the others (grades, Enter for the
   * suggested grade) still do, since ticking a key point is not typing. */
  var OWN_KEYS = {
    checkbox: { Space: true },
    radio: { Space: true, ArrowLeft: true, ArrowRight: true, ArrowUp: true, ArrowDown: true }
  };

  function isTyping(el, name) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "INPUT" && OWN_KEYS[el.type]) return !!OWN_KEYS[el.type][name];
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  /* Esc in a text box leaves it (the note editor: cancels it) and gives the keys back. */
  function leaveTextBox(event) {
    var el = event.target;
    if (event.key !== "Escape" || !isTyping(el, "Escape") || (el.closest && el.closest("dialog"))) {
      return false;
    }
    event.preventDefault();
    var cancel = el.closest && el.closest(".note-form") &&
      el.closest(".note-form").querySelector("a[href]");
    if (cancel) { cancel.click(); return true; }
    el.blur();
    var card = document.getElementById("card");
    var heading = card && card.querySelector("h1");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    return true;
  }

  function keyName(event) {
    return event.key === " " ? "Space" : event.key;
  }

  function shortcutsDialog() {
    return document.getElementById("shortcuts");
  }

  function toggleShortcuts() {
    var dialog = shortcutsDialog();
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  /* The first such control that is shown: a card holds its answer side and grade
   * buttons hidden until revealed, and their keys wait until then. */
  function firstShown(scope, selector) {
    if (!scope) return null;
    var all = scope.querySelectorAll(selector);
    for (var i = 0; i < all.length; i++) {
      if (!all[i].closest("[hidden]")) return all[i];
    }
    return null;
  }

  function findTarget(name) {
    var selector = '[data-keys~="' + name.replace(/["\\]/g, "\\$&") + '"]';
    return firstShown(document.getElementById("card"), selector) ||
      firstShown(document, selector);
  }

  /* The Ctrl chords we map (Ctrl+Z: undo, Ctrl+Shift+Z: redo); every other modified
   * key is the browser's. */
  function chordName(event) {
    if (event.ctrlKey && !event.metaKey && !event.altKey &&
        (event.key === "z" || event.key === "Z")) {
      return event.shiftKey ? "Ctrl+Shift+z" : "Ctrl+z";
    }
    return null;
  }

  /* Ctrl+Enter (or Cmd+Enter) in a text area sends its form: notes, typed answers. */
  function submitFromTextarea(event) {
    var el = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return false;
    if (!el || el.tagName !== "TEXTAREA" || !el.form) return false;
    event.preventDefault();
    if (!event.repeat) el.form.requestSubmit(); /* held down: sent once */
    return true;
  }

  /* Holding a key repeats it: only flipping through the pack may repeat, so holding
   * Space or 3 never grades card after card, nor a host key fire twice. */
  var REPEATABLE = { ArrowLeft: true, ArrowRight: true, j: true, k: true };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || submitFromTextarea(event) || leaveTextBox(event)) return;
    var chord = chordName(event);
    if (!chord && (event.ctrlKey || event.metaKey || event.altKey)) return;
    var name = chord || keyName(event);
    if (isTyping(event.target, name)) return;
    if (event.repeat && !REPEATABLE[name]) {
      if (name === "?" || findTarget(name)) event.preventDefault(); /* no scroll either */
      return;
    }
    if (name === "?") {
      event.preventDefault();
      toggleShortcuts();
      return;
    }
    var dialog = shortcutsDialog();
    if (dialog && dialog.open) return; /* Esc closes the dialog natively */
    if ((name === "Enter" || name === "Space") && event.target.closest &&
        event.target.closest("a, button, summary")) {
      return; /* the focused control activates itself */
    }
    if (name === "Space" && event.target.type === "checkbox") return; /* ticks itself */
    var target = findTarget(name);
    if (!target) return;
    event.preventDefault();
    /* One action at a time: never grade the next card by accident. A key pressed while
     * new content settles is meant for that content: it runs once htmx has bound it. */
    if (busy) { if (settling) pending = name; return; }
    /* A card static/practice.js just put in place, not bound yet: run it once bound. */
    if (target.closest && target.closest("[data-binding]")) { pending = name; return; }
    target.click();
  });

  document.addEventListener("trainer:bound", function () {
    if (busy) return; /* an htmx swap on its way: its settle runs the key */
    var name = pending;
    pending = null;
    var target = name && findTarget(name);
    if (target) target.click();
  });

  /* A control shown disabled (aria-disabled, e.g. bury in a Focus run) says why, in the
   * card's live region, whether its key or the mouse pressed it. */
  function explain(control) {
    var card = control.closest("#card");
    var region = card && card.querySelector(".key-notice");
    if (region) region.textContent = control.getAttribute("data-notice");
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-shortcuts]");
    if (opener) toggleShortcuts();
    var off = event.target.closest &&
      event.target.closest('[aria-disabled="true"][data-notice]');
    if (off) { event.preventDefault(); explain(off); }
  });

  /* A background poll (data-poll, e.g. a live session's stage) is not an action. */
  function isPoll(event) {
    var elt = event.detail && event.detail.elt;
    return !!(elt && elt.hasAttribute && elt.hasAttribute("data-poll"));
  }
  /* Busy lasts until swapped-in content has settled: htmx binds the new card's forms
   * only then, and a key pressed earlier would submit a form the old-fashioned way. */
  document.addEventListener("htmx:beforeRequest", function (e) { if (!isPoll(e)) busy = true; });
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!isPoll(e) && e.detail.shouldSwap) { settling = true; swaps += 1; }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (isPoll(e)) return;
    if (!settling) { busy = false; return; }
    var swap = swaps;
    setTimeout(function () { /* a swap that never settles must not lock the keys */
      if (settling && swap === swaps) { settling = false; busy = false; pending = null; }
    }, 1500);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (isPoll(e)) return;
    settling = false;
    busy = false;
    var name = pending;
    pending = null;
    var target = name && findTarget(name);
    if (target) target.click();
  });
})();
