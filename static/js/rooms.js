/* A live room, kept current over the page's one socket (window.Community.socket, realtime.js).
 * Without this file the page works through its forms; with it, the room is entered (counted
 * present, attendance recorded), chat and questions arrive live, votes re-sort the questions,
 * and the chat and question forms send through the socket instead of reloading the page. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-room]");
  if (!root || !window.Community || !window.Community.socket) {
    return;
  }
  var socket = window.Community.socket;
  var ref = { kind: root.getAttribute("data-kind"), subject_id: root.getAttribute("data-subject-id") };
  var list = root.querySelector("[data-questions]");
  var messages = root.querySelector("[data-messages]");

  var removed = false;

  function enter() {
    if (removed) { return; }
    socket.call("room:enter", ref).then(function (ack) {
      if (ack && ack.ok) { setPresent(ack.present); }
    });
  }
  function setPresent(count) {
    var element = root.querySelector("[data-presence-count]");
    if (element) { element.textContent = String(count); }
  }
  function resort() {
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-question-id]"));
    items.sort(function (a, b) {
      return Number(b.getAttribute("data-votes")) - Number(a.getAttribute("data-votes"));
    });
    items.forEach(function (item) { list.appendChild(item); });
  }
  function ours(data) { return data && data.room === "room:" + ref.kind + ":" + ref.subject_id; }

  /* The server took this person out of the room (uninvited, or no longer a host): say so, and
   * do not enter again on a reconnect. */
  socket.on("room:removed", function (data) {
    var notice = root.querySelector("[data-removed-notice]");
    var whole = ours(data);
    if (!notice || (!whole && data.room !== "room:" + ref.kind + ":" + ref.subject_id + ":hosts")) { return; }
    removed = removed || whole;
    notice.textContent = root.getAttribute(whole ? "data-removed-text" : "data-unhosted-text");
    notice.hidden = false;
  });
  socket.on("connect", enter);
  if (socket.connected) { enter(); }
  socket.on("presence", function (data) { if (ours(data)) { setPresent(data.present); } });
  socket.on("room:message", function (data) {
    if (!ours(data) || messages.querySelector('[data-message-id="' + data.message.id + '"]')) { return; }
    var item = document.createElement("li");
    item.setAttribute("data-message-id", data.message.id);
    var who = document.createElement("strong");
    who.textContent = data.message.author;
    item.appendChild(who);
    item.appendChild(document.createTextNode(": " + data.message.body));
    messages.appendChild(item);
  });
  socket.on("room:message_deleted", function (data) {
    var item = ours(data) && messages.querySelector('[data-message-id="' + data.id + '"]');
    if (item) { item.remove(); }
  });
  /* New counts, folded: every question whose count changed in the last tenth of a second. */
  socket.on("room:votes", function (data) {
    if (!ours(data)) { return; }
    data.votes.forEach(function (change) {
      var item = list.querySelector('[data-question-id="' + change.id + '"]');
      if (item && Number(item.getAttribute("data-votes")) < change.votes) {
        item.setAttribute("data-votes", String(change.votes));
        item.querySelector("[data-vote-count]").textContent = String(change.votes);
      }
    });
    resort();
  });
  socket.on("room:question", function (data) {
    if (!ours(data) || list.querySelector('[data-question-id="' + data.question.id + '"]')) { return; }
    var empty = list.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.setAttribute("data-question-id", data.question.id);
    item.setAttribute("data-votes", String(data.question.votes));
    var body = document.createElement("p");
    body.textContent = data.question.body;
    var count = document.createElement("span");
    count.setAttribute("data-vote-count", "");
    count.textContent = String(data.question.votes);
    item.appendChild(body);
    item.appendChild(count);
    list.appendChild(item);
    resort();
  });

  var polls = root.querySelector("[data-polls]");
  socket.on("poll:created", function (data) {
    if (!ours(data) || !polls || !window.Community.pollFragment || document.getElementById("poll-" + data.poll_id)) {
      return;
    }
    window.Community.pollFragment("/polls/" + data.poll_id)
      .then(function (fresh) {
        if (!fresh || document.getElementById("poll-" + data.poll_id)) { return; }
        var empty = polls.querySelector("[data-polls-empty]");
        if (empty) { empty.remove(); }
        polls.insertBefore(fresh, polls.firstChild);
      })
      .catch(function () { /* the poll shows on the next reload */ });
  });

  function sendThrough(form, event, fields) {
    form.addEventListener("submit", function (submit) {
      if (!socket.connected) { return; }
      submit.preventDefault();
      var data = Object.assign({}, ref, fields(form));
      var error = form.querySelector("[data-chat-error]");
      socket.call(event, data).then(function (ack) {
        if (ack && ack.ok) {
          form.reset();
          if (error) { error.textContent = ""; }
        } else if (error && ack && ack.error) {
          error.textContent = ack.error.detail || ack.error.title;
        }
      });
    });
  }
  var chat = root.querySelector("[data-chat-form]");
  if (chat) {
    sendThrough(chat, "room:message", function (form) { return { body: form.elements.body.value }; });
  }
}());
