/* The mentoring pages made live: /mentoring (a person's requests and mentorships) and
 * /mentoring/<id>. Without this file they work as they are, and a reload shows what changed.
 * With it, "mentoring:changed" {mentorship_id, status}, which the server sends to the mentor's
 * and the mentee's own rooms only, makes the page fetch itself again and put its fresh content
 * in place: the list for any of the person's mentorships, a mentorship's page for that one. */
(function () {
  "use strict";
  var area = document.getElementById("mentoring-live");
  var live = window.Community && window.Community.socket;
  if (!area || !live || !window.fetch || !window.DOMParser) {
    return;
  }
  var watched = area.getAttribute("data-mentoring-live");

  function refresh() {
    fetch(window.location.pathname + window.location.search,
          { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("mentoring-live");
        var current = document.getElementById("mentoring-live");
        if (fresh && current) {
          current.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(function () { /* the page stays as it was; a reload brings it up to date */ });
  }

  live.on("mentoring:changed", function (data) {
    if (watched === "list" || data.mentorship_id === watched) {
      refresh();
    }
  });
}());
