/* Live team sessions: what keys.js cannot do on its own.
 *
 * - Ctrl+Enter (or Cmd+Enter) in the answer box sends the answer. keys.js ignores
 *   keys while typing and ignores Ctrl combinations, so this needs its own handler.
 * - Timers count down between polls: the server sends the seconds left when it draws
 *   the page ("data-remaining"); we count from the moment the element appeared, so a
 *   wrong clock on a phone does not matter. At zero the answer button is disabled
 *   (the server refuses late answers anyway).
 * - What a participant types is kept in this tab's sessionStorage until the question
 *   changes, and put back whenever the stage is drawn again (a reload, a setting
 *   toggled, a redraw from the server), so an unsent draft is never lost.
 * Our own static file, because the Content-Security-Policy forbids inline scripts.
 */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) return; /* keys.js already sent it */
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var box = event.target;
    if (!box || !box.matches || !box.matches("textarea[data-ctrl-enter-submits]")) return;
    var form = box.form;
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  function format(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var now = Date.now();
    var timers = document.querySelectorAll("[data-remaining]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      if (!el.liveStarted) el.liveStarted = now;
      var left = Math.max(0, parseInt(el.getAttribute("data-remaining"), 10) -
        Math.floor((now - el.liveStarted) / 1000));
      el.textContent = format(left);
      el.classList.toggle("timer-low", left <= 10);
      if (left === 0) {
        var stage = el.closest("#stage") || document;
        var closers = stage.querySelectorAll("[data-closes-with-timer]");
        for (var j = 0; j < closers.length; j++) closers[j].disabled = true;
      }
    }
  }

  var DRAFT = "live-draft:";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; } /* blocked: no drafts */
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    var store = storage();
    if (!store || !box.matches || !box.matches("textarea[data-draft]")) return;
    try { store.setItem(DRAFT + box.getAttribute("data-draft"), box.value); } catch (e) { /* full */ }
  });

  function restoreDraft() {
    var store = storage();
    if (!store) return;
    var box = document.querySelector("textarea[data-draft]");
    if (!box) return;
    var key = DRAFT + box.getAttribute("data-draft");
    var room = key.split(":").slice(0, 2).join(":") + ":";
    for (var i = store.length - 1; i >= 0; i--) { /* drafts of earlier questions go */
      var old = store.key(i);
      if (old && old.indexOf(room) === 0 && old !== key) store.removeItem(old);
    }
    var draft = store.getItem(key);
    if (draft !== null && draft !== box.value) box.value = draft;
  }

  function drawn() { tick(); restoreDraft(); }

  setInterval(tick, 250);
  document.addEventListener("DOMContentLoaded", drawn);
  document.addEventListener("htmx:afterSettle", drawn);
})();
