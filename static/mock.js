/* Mock interview countdown: shows the time left on the question and, at zero, sends
 * what was typed. The server keeps its own clock, so this is a display and a nudge,
 * never the judge. Lives in a static file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  function format(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function start() {
    var clock = document.querySelector(".countdown[data-deadline]");
    if (!clock) return;
    var deadline = Number(clock.getAttribute("data-deadline"));
    var form = document.querySelector("form.mock-answer");
    var sent = false;
    function tick() {
      var left = (deadline - Date.now()) / 1000;
      clock.textContent = format(left);
      clock.classList.toggle("low", left <= 15);
      if (left <= 0 && !sent && form) {
        sent = true;
        clock.classList.add("over");
        form.requestSubmit();
        return;
      }
      if (!sent) setTimeout(tick, 250);
    }
    if (form) form.addEventListener("submit", function () { sent = true; });
    tick();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
