/* Relative times: a <time data-relative> shows "3 hours ago" (in the page's language, by the
 * browser's Intl.RelativeTimeFormat), with the exact time in IST, as the server wrote it, in its
 * title for hover and long-press. Without JavaScript, or for times over a month old, the exact
 * time stays as it is. Refreshed every minute, and at once when posts or notifications arrive live. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.RelativeTimeFormat) { return; }
  var format = new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" });
  var UNITS = [["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  var MONTH = 30 * 86400;

  function relative(seconds) {
    for (var i = 0; i < UNITS.length; i += 1) {
      if (Math.abs(seconds) >= UNITS[i][1]) { return format.format(Math.round(seconds / UNITS[i][1]), UNITS[i][0]); }
    }
    return format.format(0, "second");
  }

  function refresh() {
    Array.prototype.forEach.call(document.querySelectorAll("time[data-relative][datetime]"), function (element) {
      var at = Date.parse(element.getAttribute("datetime"));
      if (isNaN(at)) { return; }
      if (!element.dataset.exact) { element.dataset.exact = element.textContent.trim(); }
      var seconds = (at - Date.now()) / 1000;
      if (Math.abs(seconds) > MONTH) { element.textContent = element.dataset.exact; element.removeAttribute("title"); return; }
      element.textContent = relative(seconds);
      element.title = element.dataset.exact;
    });
  }

  var pending = false;
  function soon() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; refresh(); });
  }

  refresh();
  window.setInterval(refresh, 60000);
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i += 1) {
      if (changes[i].addedNodes.length) { soon(); return; }
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
