/* A failed htmx request is never silent.
 *
 * htmx swaps nothing when a request fails (no connection, a 4xx, a 5xx), so without this
 * a key press would seem to do nothing. Every failure shows what went wrong and what to
 * do, in one alert at the top of the page (role="alert": a screen reader says it), until
 * it is dismissed or the next request succeeds. Grades have their own outbox
 * (static/practice.js) and never come here. Our own file: the CSP forbids inline scripts.
 */
(function () {
  "use strict";

  var ID = "request-error";

  function isPoll(elt) { return !!(elt && elt.hasAttribute && elt.hasAttribute("data-poll")); }

  function clear() {
    var el = document.getElementById(ID);
    if (el) el.remove();
  }

  function show(text) {
    var el = document.getElementById(ID);
    if (!el) {
      el = document.createElement("div");
      el.id = ID;
      el.className = "flash flash-error";
      el.setAttribute("role", "alert");
      var message = document.createElement("p");
      message.className = "request-error-text";
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "linkish";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", clear);
      el.append(message, dismiss);
      var main = document.querySelector("main") || document.body;
      main.prepend(el);
    }
    el.querySelector(".request-error-text").textContent = text;
  }

  /* What the server said: the message of our error page, or the start of its text. */
  function said(xhr) {
    var body = (xhr && xhr.responseText) || "";
    if (!body) return "";
    var t = document.createElement("template");
    t.innerHTML = body;
    var p = t.content.querySelector(".error p, .notice, p");
    var text = (p ? p.textContent : t.content.textContent || "").replace(/\s+/g, " ").trim();
    return text.slice(0, 300);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var message = said(xhr);
    var text;
    if (status >= 500) {
      text = "The server failed (" + status + ")" + (message ? ": " + message : ".") +
        " Nothing was changed. Try again; if it keeps failing, the server's log says why.";
    } else if (status === 403) {
      text = "The server refused this (403)" + (message ? ": " + message : ".") +
        " Reload the page and try again.";
    } else {
      text = "The server refused this (" + status + ")" + (message ? ": " + message : ".") +
        " Reload the page to see where things stand.";
    }
    show(text);
  });

  document.addEventListener("htmx:sendError", function () {
    show("Could not reach the server: it is down or this device is offline. " +
      "Nothing was changed; try again once it is back.");
  });

  document.addEventListener("htmx:timeout", function () {
    show("The server took too long to answer. Try again.");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && !isPoll(event.detail.elt)) clear();
    else if (event.detail.successful && isPoll(event.detail.elt) &&
             /reach the server/.test(document.getElementById(ID) ? document.getElementById(ID).textContent : "")) {
      clear(); /* a poll got through: the connection is back */
    }
  });
})();
