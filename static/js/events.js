/* The event page, live: the seat counts change as people answer, and a person promoted from the
 * waitlist sees it without reloading. The page works without this file. */
(function () {
  "use strict";
  var page = document.getElementById("event");
  if (!page || !window.Community || !window.Community.socket) {
    return;
  }
  var socket = window.Community.socket;
  var eventId = page.dataset.eventId;
  socket.on("events:counts", function (data) {
    if (data.event_id !== eventId) {
      return;
    }
    ["going", "waitlisted", "interested", "capacity"].forEach(function (name) {
      var cell = page.querySelector('[data-count="' + name + '"]');
      if (cell && typeof data[name] === "number") {
        cell.textContent = String(data[name]);
      }
    });
  });
  socket.on("events:rsvp", function (data) {
    var mine = document.getElementById("my-rsvp");
    if (data.event_id !== eventId || !mine || data.status !== "going") {
      return;
    }
    mine.dataset.rsvp = "going";
    mine.textContent = page.dataset.goingText;
  });
  socket.on("room:removed", function (data) {
    var notice = page.querySelector("[data-removed-notice]");
    if (data.room !== "event:" + eventId || !notice) {
      return;
    }
    socket.leave(data.room);
    notice.textContent = page.dataset.removedText;
    notice.hidden = false;
  });
  socket.join("event:" + eventId);
}());
