// As-you-type suggestions for the header search box. Without this script the box is a plain
// form that opens the results page. Suggestions are links: Tab or the down arrow reaches them,
// Escape returns to the box.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var box = document.getElementById("search-suggestions");
  if (!input || !box || !window.fetch) { return; }
  var timer = null;
  var latest = 0;
  function links() { return Array.prototype.slice.call(box.querySelectorAll("a")); }
  function load() {
    var text = input.value;
    var ticket = ++latest;
    if (!text.trim()) { box.innerHTML = ""; return; }
    fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(text), { headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (ticket === latest) { box.innerHTML = html; } })
      .catch(function () { box.innerHTML = ""; });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 150); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && links().length) { event.preventDefault(); links()[0].focus(); }
    if (event.key === "Escape") { box.innerHTML = ""; }
  });
  box.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < all.length - 1) { event.preventDefault(); all[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : input).focus(); }
    if (event.key === "Escape") { box.innerHTML = ""; input.focus(); }
  });
}());
