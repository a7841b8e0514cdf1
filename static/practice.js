/* Instant cards (#14) and what a screen reader hears (#13).
 *
 * In Review, Browse and Focus the card the server sends carries its answer side (hidden)
 * and its grade buttons, so Space reveals it here, without a request; the page holds the
 * card that comes next (GET data-after, the server's guess), so a grade shows it at once
 * and goes to the server in the background. Grades pass through an outbox kept in
 * localStorage, each with its own id (the server applies an id once): a closed tab or a
 * dead connection loses none, and "N grades waiting to be sent" says so until they are.
 * The server stays the source of truth: its answer to a grade is the card that really
 * comes next, and it replaces the one shown here if they differ and the learner has not
 * moved on. Without JavaScript the same forms post and the same links load.
 *
 * After each change focus goes to the card's heading (the first key point after
 * Compare, the note box when editing), #card-status says what changed and
 * document.title follows the card. Our own file: the CSP forbids inline scripts.
 */
(function () {
  "use strict";

  var OUTBOX = "trainer-outbox";
  var ahead = null; /* {url, after, node}: the card a grade of the shown card brings */
  var fetching = null; /* the data-after URL being fetched */
  var sending = false;
  var failures = 0; /* consecutive failed sends: the backoff and the notice */
  var retryTimer = null;
  var lastCard = null; /* the card element last followed: a new one is a swap */

  function card() { return document.getElementById("card"); }

  function isInstant(el) { return !!(el && el.id === "card" && el.hasAttribute("data-url")); }

  /* ---- what a screen reader hears ------------------------------------------------ */

  function say(text) {
    var region = document.getElementById("card-status");
    if (!region) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 30); /* re-announced if equal */
  }

  function focusOn(el) {
    if (!el) return;
    if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus({ preventScroll: true });
  }

  function heading(el) { return el && el.querySelector("h1"); }

  function titleOf(el) {
    var h = heading(el);
    return h ? h.textContent.replace(/^\s*★\s*/, "").trim() : "";
  }

  function followCard(el, focusTarget) {
    lastCard = el;
    if (!isInstant(el)) return;
    if (el.dataset.title) document.title = el.dataset.title;
    focusOn(focusTarget || heading(el));
  }

  /* ---- reveal, here --------------------------------------------------------------- */

  function reveal(el) {
    var answer = el.querySelector(".answer");
    var grades = el.querySelector("form.grades");
    if (!answer || !grades) return false;
    answer.hidden = false;
    grades.hidden = false;
    el.querySelectorAll("form.reveal-form, form.answer-first").forEach(function (f) {
      f.hidden = true;
    });
    el.dataset.side = "answer";
    if (el.dataset.revealUrl) history.replaceState({ htmx: true }, "", el.dataset.revealUrl);
    focusOn(answer.querySelector("h2") || heading(el));
    say("Answer shown");
    return true;
  }

  /* A card action of a revealed card comes back revealed: its form says so. */
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    var el = card();
    if (!el || el.dataset.side !== "answer" || !elt.closest) return;
    if (elt.closest(".card-actions, .note-form, a.note-edit")) {
      event.detail.parameters.reveal = "1";
    }
  });

  /* ---- the key-point checklist suggests a grade, here ------------------------------ */

  function suggestGrade(ticked, total) {
    if (total <= 0) return null;
    var share = ticked / total;
    if (share < 1 / 3) return 1;
    if (share < 2 / 3) return 2;
    if (share < 1) return 3;
    return 4;
  }

  function resuggest(form) {
    var boxes = form.querySelectorAll('.key-point-check input[type="checkbox"]');
    var ticked = 0;
    boxes.forEach(function (b) { if (b.checked) ticked += 1; });
    var grade = suggestGrade(ticked, boxes.length);
    var buttons = form.querySelectorAll("button.grade");
    var also = form.querySelector("button.grade .also-keys");
    buttons.forEach(function (button) {
      var mine = String(grade) === button.value;
      button.classList.toggle("suggested", mine);
      button.setAttribute("data-keys", button.value + (mine ? " Space Enter" : ""));
      if (mine && also && also.parentNode !== button) {
        button.querySelector("kbd").after(also);
      }
    });
    var suggestion = form.querySelector(".suggestion");
    var chosen = form.querySelector('button.grade[value="' + grade + '"]');
    if (suggestion && chosen) {
      suggestion.querySelector(".ticked").textContent = String(ticked);
      suggestion.querySelector(".suggested-grade").textContent = chosen.firstChild.textContent.trim();
    }
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type === "checkbox" && box.closest && box.closest(".key-point-check")) {
      resuggest(box.form);
    }
  });

  /* ---- the outbox ------------------------------------------------------------------ */

  function readOutbox() {
    try { return JSON.parse(localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
  }

  function writeOutbox(items) {
    try { localStorage.setItem(OUTBOX, JSON.stringify(items)); } catch (e) { /* full */ }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["X-CSRF-Token"];
    } catch (e) { return null; }
  }

  function notice(id, text, kind) {
    var main = document.querySelector("main");
    var el = document.getElementById(id);
    if (!text) { if (el) el.remove(); return; }
    if (!el && main) {
      el = document.createElement("p");
      el.id = id;
      el.setAttribute("role", kind === "error" ? "alert" : "status");
      main.prepend(el);
    }
    if (!el) return;
    el.className = "flash" + (kind === "error" ? " flash-error" : "");
    el.textContent = text;
  }

  function showWaiting() {
    var n = readOutbox().length;
    if (n && failures) {
      notice("outbox-status", n + (n === 1 ? " grade" : " grades") + " waiting to be sent: " +
        "the server cannot be reached. They are kept in this browser and sent when it answers.");
    } else if (!n && document.getElementById("outbox-status")) {
      notice("outbox-status", "All waiting grades were sent.");
      setTimeout(function () {
        if (!readOutbox().length) notice("outbox-status", "");
      }, 4000);
    }
  }

  function refused(item, status, text) {
    var what = item.label ? "Your grade " + item.label + " of “" + item.title + "”" : "A grade";
    notice("grade-refused", what + " was refused by the server (" + status + "): " +
      (text || "it did not say why") + " It was not counted: open the card again and grade it.",
      "error");
  }

  function messageOf(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    var p = t.content.querySelector(".error p, .notice, p");
    return p ? p.textContent.trim().slice(0, 300) : "";
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    var wait = Math.min(1000 * Math.pow(2, Math.max(failures - 1, 0)), 30000);
    retryTimer = setTimeout(flush, wait);
  }

  function drop(id) {
    writeOutbox(readOutbox().filter(function (i) { return i.id !== id; }));
  }

  function flush() {
    if (sending) return;
    var items = readOutbox();
    if (!items.length) { showWaiting(); released(); return; }
    var item = items[0];
    sending = true;
    var headers = { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" };
    var token = csrfToken();
    if (token) headers["X-CSRF-Token"] = token;
    /* keepalive: a grade on its way when the learner leaves the page still arrives */
    fetch(item.url, { method: "POST", body: item.body, headers: headers,
                      credentials: "same-origin", keepalive: true })
      .then(function (response) {
        return response.text().then(function (text) {
          sending = false;
          if (response.ok) {
            failures = 0;
            drop(item.id);
            settle(item, text);
          } else if (response.status >= 500 || response.status === 408 ||
                     response.status === 429) {
            failures += 1;
            showWaiting();
            scheduleRetry();
            return;
          } else {
            drop(item.id);
            refused(item, response.status, messageOf(text));
            unwait(item);
          }
          flush();
        });
      }, function () {
        sending = false;
        failures += 1;
        showWaiting();
        scheduleRetry();
      });
  }

  window.addEventListener("online", function () { failures = Math.min(failures, 1); flush(); });

  /* Card actions (undo above all) wait for the grades before them. */
  var held = [];
  function released() {
    var run = held;
    held = [];
    run.forEach(function (issue) { issue(); });
  }
  document.addEventListener("htmx:confirm", function (event) {
    var verb = (event.detail.verb || "get").toLowerCase();
    var elt = event.detail.elt;
    if (verb === "get" || !readOutbox().length || !elt.closest || !elt.closest("#card")) return;
    event.preventDefault();
    held.push(function () { event.detail.issueRequest(true); });
    say("Waiting for the grades before it to be sent");
  });

  /* ---- the next card, held ready ---------------------------------------------------- */

  function aheadUrl(el) {
    var url = el.dataset.after;
    if (!url) return null;
    var skip = readOutbox().map(function (i) { return i.question; }).filter(Boolean);
    if (!skip.length || el.dataset.mode !== "review") return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") +
      skip.slice(-20).map(function (q) { return "skip=" + encodeURIComponent(q); }).join("&");
  }

  function prefetch() {
    var el = card();
    if (!isInstant(el) || !el.dataset.after || el.dataset.waiting) return;
    var url = aheadUrl(el);
    if ((ahead && ahead.url === url) || fetching === url) return;
    fetching = url;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        /* parsed now, while nobody waits: a grade only puts it in place */
        if (fetching === url) ahead = { url: url, after: el.dataset.after, node: parseCard(html) };
        fetching = null;
      }, function () { fetching = null; });
  }

  function parseCard(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.querySelector("#card");
  }

  /* After the frame that paints the change: what nobody sees need not delay it. */
  function afterPaint(work) {
    requestAnimationFrame(function () { setTimeout(work, 0); });
  }

  /* ``soon``: htmx binds the card after the paint that shows it. Until then it carries
   * data-binding, and keys.js holds a key pressed meanwhile: a card action (undo, star)
   * clicked unbound would post its form the old-fashioned way, past the outbox. */
  function putCard(next, old, soon) {
    old.replaceWith(next);
    lastCard = next;
    if (!window.htmx) return next;
    if (soon) {
      next.setAttribute("data-binding", "");
      afterPaint(function () {
        window.htmx.process(next);
        next.removeAttribute("data-binding");
        document.dispatchEvent(new CustomEvent("trainer:bound"));
      });
    } else window.htmx.process(next);
    return next;
  }

  function setNotice(el, text) {
    var p = el.querySelector(".notice");
    if (!p) {
      p = document.createElement("p");
      p.className = "notice";
      p.setAttribute("role", "status");
      el.querySelector(".card-meta").after(p);
    }
    p.textContent = text;
  }

  function gradeHere(form, button) {
    var el = card();
    var data = new FormData(form, button);
    var item = {
      id: newId(), url: form.action, question: el.dataset.question,
      label: button.firstChild.textContent.trim(), title: titleOf(el),
      words: button.dataset.words || ""
    };
    data.set("grade_id", item.id);
    item.body = new URLSearchParams(data).toString();
    var items = readOutbox();
    items.push(item);
    writeOutbox(items);
    var next = ahead && ahead.after === el.dataset.after ? ahead.node : null;
    ahead = null;
    /* "All caught up" is only a guess in Review: a failed or learning card may come
     * straight back (learn-ahead). The server's answer says; wait for it. */
    if (next && !next.dataset.question && el.dataset.mode === "review") next = null;
    var back = item.words ? " back " + item.words : "";
    if (next) {
      next.dataset.follows = item.id;
      setNotice(next, item.label + ": “" + item.title + "”" + back + ". Undo with u.");
      next.querySelectorAll(".undo-control, form.undo").forEach(function (u) { u.hidden = false; });
      putCard(next, el, true);
      history.pushState({ htmx: true }, "", next.dataset.url);
      window.scrollTo(0, 0);
      followCard(next);
      var title = titleOf(next);
      say(item.label + "," + back + ". " + (next.dataset.question ? "Next: " + title : title));
      afterPaint(function () { flush(); prefetch(); });
      return;
    } else {
      el.dataset.follows = item.id;
      el.dataset.waiting = "1";
      form.hidden = true;
      setNotice(el, item.label + ": “" + item.title + "”" + back +
        ". The next card comes as soon as the server answers.");
      focusOn(heading(el));
      say(item.label + "," + back + ". The next card comes when the server answers.");
    }
    flush();
  }

  /* The server's answer to a grade: the card that really comes next. */
  function settle(item, html) {
    var shown = card();
    if (!shown || shown.dataset.follows !== item.id) { prefetch(); return; }
    var server = parseCard(html);
    if (!server) return;
    if (shown.dataset.waiting || server.dataset.url !== shown.dataset.url) {
      var focusWasIn = shown.contains(document.activeElement);
      putCard(server, shown);
      history.replaceState({ htmx: true }, "", server.dataset.url);
      if (focusWasIn || document.activeElement === document.body) followCard(server);
      if (!shown.dataset.waiting) say("The queue changed. Next: " + titleOf(server));
      else say("Next: " + titleOf(server));
    } else {
      /* Same card: bring what the grade changed (counts, undo, the notice's words). */
      var parts = [".card-meta .counts", ".notice"]; /* undo: shown when graded */
      parts.forEach(function (selector) {
        var mine = shown.querySelector(selector);
        var theirs = server.querySelector(selector);
        if (mine && theirs && !mine.contains(document.activeElement)) {
          mine.replaceWith(theirs);
          if (window.htmx) window.htmx.process(theirs);
        }
      });
      delete shown.dataset.follows;
    }
    prefetch();
  }

  function unwait(item) {
    var shown = card();
    if (!shown || shown.dataset.follows !== item.id || !shown.dataset.waiting) return;
    delete shown.dataset.waiting;
    var form = shown.querySelector("form.grades");
    if (form) form.hidden = false;
  }

  /* ---- the forms this file answers ------------------------------------------------- */

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var el = card();
    if (!isInstant(el) || !el.contains(form)) return;
    if (form.matches("form.reveal-form")) {
      if (reveal(el)) { event.preventDefault(); event.stopPropagation(); }
      return;
    }
    if (form.matches("form.grades") && event.submitter && event.submitter.name === "rating" &&
        el.dataset.after && !el.dataset.waiting) {
      event.preventDefault();
      event.stopPropagation(); /* htmx's own listener on the form never hears it */
      gradeHere(form, event.submitter);
    }
  }, true);

  /* After htmx swaps a card in (a flip, a card action, Compare): focus, title, words. */
  document.addEventListener("htmx:afterSettle", function () {
    var el = card();
    if (!el || el === lastCard) return;
    if (!isInstant(el)) { lastCard = el; return; }
    var target = el.querySelector(".note-form textarea") ||
      el.querySelector('.key-point-check input[type="checkbox"]');
    followCard(el, target);
    var n = el.querySelector(".notice");
    say(n ? n.textContent.trim() : titleOf(el));
    ahead = null;
    prefetch();
  });

  function start() {
    var el = card();
    lastCard = el;
    if (isInstant(el) && el.dataset.title) document.title = el.dataset.title;
    prefetch();
    flush();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
