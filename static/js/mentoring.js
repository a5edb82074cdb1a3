/* The mentoring pages made live: /mentoring (a person's requests and mentorships) and
 * /mentoring/<id>. Without this file they work as they are, and a reload shows what changed.
 * With it, "mentoring:changed" {mentorship_id, status}, which the server sends to the mentor's
 * and the mentee's own rooms only, makes the page fetch itself again and put its fresh content
 * in place: the list for any of the person's mentorships, a mentorship's page for that one.
 * After a reconnect the page is fetched once more, for what changed while it was away; the
 * element carries data-live while the page listens. */
(function () {
  "use strict";
  var live = window.Community && window.Community.socket;
  var first = document.getElementById("mentoring-live");
  if (!first || !live || !window.fetch || !window.DOMParser) {
    return;
  }
  var watched = first.getAttribute("data-mentoring-live");
  var listened = false;

  function area() {
    return document.getElementById("mentoring-live");
  }

  function refresh() {
    fetch(window.location.pathname + window.location.search,
          { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("mentoring-live");
        var current = area();
        if (fresh && current) {
          fresh = document.importNode(fresh, true);
          if (live.connected) { fresh.setAttribute("data-live", ""); }
          current.replaceWith(fresh);
        }
      })
      .catch(function () { /* the page stays as it was; a reload brings it up to date */ });
  }

  function listening() {
    if (listened) { refresh(); }
    listened = true;
    area().setAttribute("data-live", "");
  }

  live.on("mentoring:changed", function (data) {
    if (watched === "list" || data.mentorship_id === watched) {
      refresh();
    }
  });
  live.on("disconnect", function () { area().removeAttribute("data-live"); });
  live.on("connect", listening);
  if (live.connected) {
    listening();
  }
}());
