/* Polls: enhancement only. Every poll works without this file (a form to vote, a table of results).
 * With it, results change live: the page joins each poll's subject room through Community.socket
 * and listens for
 * - "poll:results" {poll_id, voters, open, options}: counts anybody may see are written into the
 *   table in place; without counts (results not shared with everyone), a viewer who sees the
 *   results fetches their own view of the poll again;
 * - "poll:closed" {poll_id, closed}: the poll is fetched again (its form comes or goes). */
(function () {
  "use strict";
  if (!window.Community || !window.Community.socket) {
    return;
  }
  var socket = window.Community.socket;

  function section(pollId) {
    return document.getElementById("poll-" + pollId);
  }

  /* A poll as this viewer may see it, from its fragment address: a promise of the element. The
   * live room's script (rooms.js) uses it too, for a poll that arrives live. */
  function fragment(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        return template.content.firstElementChild;
      });
  }
  window.Community.pollFragment = fragment;

  function refetch(element) {
    fragment(element.dataset.fragmentUrl)
      .then(function (fresh) {
        var current = section(element.dataset.pollId);
        if (fresh && current) {
          var next = current.querySelector("input[name=next]");
          fresh.querySelectorAll("input[name=next]").forEach(function (input) {
            if (next) { input.value = next.value; }
          });
          current.replaceWith(fresh);
        }
      })
      .catch(function () { /* the page still shows the poll as it was; a reload brings it up to date */ });
  }

  function setVoters(element, count) {
    var label = element.querySelector("[data-poll-voters]");
    if (!label) { return; }
    var form = count === 1 ? label.dataset.labelOne : label.dataset.labelOther;
    label.textContent = (form || label.textContent).replace(/\d+/, String(count));
  }

  socket.on("poll:results", function (data) {
    var element = section(data.poll_id);
    if (!element) { return; }
    setVoters(element, data.voters);
    var table = element.querySelector(".poll-results");
    if (!data.options || !table) {
      if (element.dataset.resultsVisible === "true" || data.options) { refetch(element); }
      return;
    }
    data.options.forEach(function (option) {
      var row = table.querySelector("tr[data-option='" + option.index + "']");
      if (!row) { return; }
      row.querySelector(".poll-votes").textContent = String(option.votes);
      row.querySelector(".poll-percent").textContent = option.percent + "%";
      row.querySelector("meter").value = option.percent;
    });
  });

  socket.on("poll:closed", function (data) {
    var element = section(data.poll_id);
    if (element) { refetch(element); }
  });

  var rooms = new Set();
  document.querySelectorAll("[data-poll-room]").forEach(function (element) {
    rooms.add(element.dataset.pollRoom);
  });
  rooms.forEach(function (room) { socket.join(room); });
}());
