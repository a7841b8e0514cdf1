/* Live team sessions: what keys.js cannot do on its own.
 *
 * - Ctrl+Enter (or Cmd+Enter) in the answer box sends the answer. keys.js ignores
 *   keys while typing and ignores Ctrl combinations, so this needs its own handler.
 * - Host keys act once per stage. A host form already sends the stage it was drawn at;
 *   on top of that, this page drops host keys (S R N L) while a host action is on its
 *   way, and for QUIET_MS after the answer to a press is drawn a second press of the
 *   same stage key (a double N never skips the scoreboard: the second N must be a
 *   deliberate one); another stage key (R right after N) acts at once. After a stage
 *   another host screen moved, every stage key rests for QUIET_MS.
 * - Timers count down between polls: the server sends the seconds left when it draws
 *   the page ("data-remaining"); we count from the moment the element appeared, so a
 *   wrong clock on a phone does not matter. At zero "Time's up" shows, Send looks
 *   disabled (aria-disabled), and a late tap or Ctrl+Enter says why instead of doing
 *   nothing (the server refuses late answers anyway, with the same words).
 * - What a participant types is kept in this tab's sessionStorage until the question
 *   changes, and put back whenever the stage is drawn again. A draft that differs from
 *   the answer sent is marked "Not sent yet", never shown under "Answer sent".
 * - Presentation mode on the host screen (P, or the button): big type, one screen, no
 *   scrolling; on by default on a wide screen; remembered in localStorage. A long
 *   reveal turns its pages with M.
 * - "Reconnecting…" shows while polls fail, and goes once one succeeds.
 * Our own static file, because the Content-Security-Policy forbids inline scripts.
 */
(function () {
  "use strict";

  var QUIET_MS = 1000;
  var HOST_KEYS = { s: 1, S: 1, r: 1, R: 1, n: 1, N: 1, l: 1, L: 1 };
  var inFlight = false;
  var quietUntil = 0;
  var quietKey = "*"; /* the stage key that rests until quietUntil; "*": every one */
  var pressedKey = null; /* the stage key of the press on its way */
  var drawnStage = null;

  function hostStage() { return document.querySelector('#stage[data-role="host"]'); }

  function isHostControl(el) {
    return !!(el && el.closest && el.closest("form[data-host-action]"));
  }

  function holdHostKeys(key) {
    return inFlight || (Date.now() < quietUntil && (quietKey === "*" || quietKey === key));
  }

  /* Capture phase on window: runs before keys.js (a document listener), so a dropped
   * key never reaches it (nor its "pressed while settling" replay). */
  window.addEventListener("keydown", function (event) {
    if (!HOST_KEYS[event.key] || event.ctrlKey || event.metaKey || event.altKey) return;
    var stage = hostStage();
    if (!stage) return;
    var target = stage.querySelector('[data-keys~="' + event.key + '"]');
    if (!isHostControl(target)) return;
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var moves = "sSrRnN".indexOf(event.key) >= 0; /* L (lock) moves no stage: no quiet */
    var key = event.key.toLowerCase();
    if (event.repeat || inFlight || (moves && holdHostKeys(key))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (moves) pressedKey = key;
  }, true);

  /* A second click of the mouse while the first is on its way is dropped too. */
  window.addEventListener("click", function (event) {
    if (!event.isTrusted || !isHostControl(event.target)) return;
    if (event.target.closest("button") && inFlight) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function isPoll(event) {
    var elt = event.detail && event.detail.elt;
    return !!(elt && elt.hasAttribute && elt.hasAttribute("data-poll"));
  }

  var inFlightTimer = null;
  var moving = false; /* the press on its way is start, reveal or next */

  function landed() {
    if (!inFlight) return;
    inFlight = false;
    clearTimeout(inFlightTimer);
    if (moving) {
      quietUntil = Date.now() + QUIET_MS;
      quietKey = pressedKey || "*"; /* a click has no key: every key rests */
    }
    pressedKey = null;
  }

  /* A host form's own afterRequest fires on the form htmx has just swapped out (detached,
   * so it never bubbles here): the answer is known to have landed when the new stage
   * settles (drawn), or when the request failed and nothing was swapped. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.matches && elt.matches("form[data-host-action]")) {
      inFlight = true;
      moving = /\/host\/(start|reveal|next)$/.test(elt.getAttribute("action") || "");
      clearTimeout(inFlightTimer);
      inFlightTimer = setTimeout(landed, 8000); /* a lost answer must not lock the keys */
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (!isPoll(event)) landed();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.matches && elt.matches("form[data-host-action]") && !event.detail.successful) {
      landed();
    }
    connection(isPoll(event) ? event.detail.successful ||
      (event.detail.xhr && event.detail.xhr.status > 0 && event.detail.xhr.status < 500)
      : true);
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (isPoll(event)) connection(false); else landed();
  });

  function connection(ok) {
    var notice = document.getElementById("live-connection");
    if (notice) notice.hidden = !!ok;
  }

  /* Ctrl+Enter in the answer box ---------------------------------------------------- */
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

  /* Time's up: a closed Send says why, by tap, click or Ctrl+Enter ------------------ */
  function closedSend(form) {
    var send = form && form.querySelector("[data-closes-with-timer]");
    return send && send.getAttribute("aria-disabled") === "true" ? send : null;
  }

  function sayClosed(form, send) {
    var notice = form.querySelector(".answer-notice");
    if (notice) notice.textContent = send.getAttribute("data-notice");
  }

  document.addEventListener("submit", function (event) {
    var send = closedSend(event.target);
    if (!send) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    sayClosed(event.target, send);
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-closes-with-timer]");
    if (!button || button.getAttribute("aria-disabled") !== "true") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    sayClosed(button.form, button);
  }, true);

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
      el.classList.toggle("timer-done", left === 0);
      if (left === 0) {
        var stage = el.closest("#stage") || document;
        var closers = stage.querySelectorAll("[data-closes-with-timer]");
        for (var j = 0; j < closers.length; j++) {
          closers[j].setAttribute("aria-disabled", "true");
        }
        var ups = stage.querySelectorAll("[data-times-up]");
        for (var k = 0; k < ups.length; k++) ups[k].hidden = false;
      }
    }
  }

  /* Drafts ------------------------------------------------------------------------- */
  var DRAFT = "live-draft:";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; } /* blocked: no drafts */
  }

  function markUnsent(box) {
    var stage = box.closest("#stage") || document;
    var sent = box.getAttribute("data-sent");
    var unsent = sent !== null && box.value.trim() !== sent;
    var ok = stage.querySelector("[data-answer-sent]");
    var warn = stage.querySelector("[data-answer-unsent]");
    if (ok) ok.hidden = unsent;
    if (warn) warn.hidden = !unsent;
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    var store = storage();
    if (!box.matches || !box.matches("textarea[data-draft]")) return;
    markUnsent(box);
    if (!store) return;
    try { store.setItem(DRAFT + box.getAttribute("data-draft"), box.value); } catch (e) { /* full */ }
  });

  function restoreDraft() {
    var box = document.querySelector("textarea[data-draft]");
    if (!box) return;
    var store = storage();
    if (store) {
      var key = DRAFT + box.getAttribute("data-draft");
      var room = key.split(":").slice(0, 2).join(":") + ":";
      for (var i = store.length - 1; i >= 0; i--) { /* drafts of earlier questions go */
        var old = store.key(i);
        if (old && old.indexOf(room) === 0 && old !== key) store.removeItem(old);
      }
      var draft = store.getItem(key);
      var sent = box.getAttribute("data-sent");
      if (draft !== null && sent !== null && draft.trim() === sent) {
        store.removeItem(key); /* sent as typed: nothing left to keep */
      } else if (draft !== null && draft !== box.value) {
        box.value = draft;
      }
    }
    markUnsent(box);
  }

  /* Presentation mode and the reveal's pages ----------------------------------------- */
  var PRESENT = "live-present";
  var revealPage = 0;
  var revealStage = null;

  function presenting() {
    var saved = null;
    try { saved = window.localStorage.getItem(PRESENT); } catch (e) { /* blocked */ }
    if (saved === "1" || saved === "0") return saved === "1";
    return window.innerWidth >= 1600; /* a projector or a big screen */
  }

  function applyPresentation() {
    var on = !!hostStage() && presenting();
    document.documentElement.classList.toggle("live-present", on);
    var toggles = document.querySelectorAll("[data-present-toggle]");
    for (var i = 0; i < toggles.length; i++) toggles[i].setAttribute("aria-pressed", String(on));
  }

  function applyRevealPage() {
    var parts = document.querySelectorAll("[data-reveal-pages] .reveal-page-part");
    if (!parts.length) return;
    var page = revealPage % parts.length;
    for (var i = 0; i < parts.length; i++) parts[i].classList.toggle("current", i === page);
    var more = document.querySelector("[data-reveal-more]");
    if (more) more.setAttribute("data-page", (page + 1) + " / " + parts.length);
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest(
      "[data-present-toggle], [data-reveal-more], [data-print]");
    if (!el) return;
    if (el.hasAttribute("data-print")) { window.print(); return; }
    if (el.hasAttribute("data-reveal-more")) { revealPage += 1; applyRevealPage(); return; }
    try { window.localStorage.setItem(PRESENT, presenting() ? "0" : "1"); } catch (e) { /* blocked */ }
    applyPresentation();
  });

  function drawn(event) {
    var stage = hostStage();
    var number = stage && stage.getAttribute("data-stage");
    if (stage && drawnStage !== null && number !== drawnStage) {
      quietUntil = Math.max(quietUntil, Date.now() + QUIET_MS);
      quietKey = "*"; /* our own press narrows this to its key once it has landed */
    }
    if (stage) drawnStage = number;
    if (event && event.type === "htmx:afterSettle") landed();
    if (number !== revealStage) { revealStage = number; revealPage = 0; }
    if (event && event.type === "htmx:afterSettle" && isPoll(event)) connection(true);
    applyPresentation();
    applyRevealPage();
    tick();
    restoreDraft();
  }

  setInterval(tick, 250);
  document.addEventListener("DOMContentLoaded", drawn);
  document.addEventListener("htmx:afterSettle", drawn);
})();
