/* The search page's keys: "/" puts the cursor in the box, the arrows walk the results.
 *
 * From any other page "/" follows the top bar's Search link (data-keys, keys.js). Here
 * that would reload the page and lose the search, so this listener, in the capture
 * phase, takes "/" first and marks it handled (keys.js skips a handled key). Down from
 * the box goes to the first result, Up and Down move between results, Up from the
 * first goes back to the box; Enter on a result opens its card (a plain link).
 */
(function () {
  "use strict";

  function box() { return document.getElementById("search-q"); }
  function links() { return Array.prototype.slice.call(document.querySelectorAll("#results .result-link")); }

  /* Where "/" is a character to type (a filter's select or checkbox is not). */
  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "TEXTAREA" ||
      (tag === "INPUT" && el.type !== "checkbox");
  }

  window.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var input = box();
    if (!input) return;
    var el = event.target;
    if (event.key === "/" && !isTyping(el)) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var list = links();
    var at = list.indexOf(el);
    if (el === input && event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      list[0].focus();
    } else if (at >= 0) {
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) input.focus(); else if (next < list.length) list[next].focus();
    }
  }, true);
})();
