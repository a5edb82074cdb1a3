/* Live updates over Socket.IO: the page's one connection. Pages work without this file; it only
 * keeps them current.
 *
 * Opens one connection per page (a WebSocket, or long-polling where a network blocks WebSockets;
 * the session cookie authenticates it), keeps the header badge's unread count and the presence
 * counts up to date, and offers window.Community.socket, through which every feature script joins the rooms its page shows ("thread:<id>", "event:<id>", ...)
 * and listens for their events instead of opening a connection of its own:
 *
 *   Community.socket.join("thread:" + id).then((ack) => ...);
 *   Community.socket.on("forum:post_created", (data) => ...);
 *
 * A room joined here is joined again after a reconnect (the server forgets a closed socket's
 * rooms). The script must run before the feature scripts that use it: both are deferred, and
 * the layout puts this one first.
 */
(function () {
  "use strict";
  if (typeof window.io !== "function") {
    return;
  }
  var socket = window.io({ withCredentials: true });
  var wanted = new Set();
  var connectedBefore = false;

  function setUnread(count) {
    var badge = document.querySelector("[data-unread-count]");
    var label = document.querySelector("[data-unread-label]");
    if (!badge || typeof count !== "number" || count < 0) {
      return;
    }
    badge.textContent = String(count);
    badge.hidden = count === 0;
    badge.classList.toggle("badge", count > 0);
    if (label) {
      label.textContent = label.textContent.replace(/\d+/, String(count));
    }
  }

  function join(room) {
    wanted.add(room);
    return socket.emitWithAck("join", { room: room });
  }

  function leave(room) {
    wanted.delete(room);
    return socket.emitWithAck("leave", { room: room });
  }

  socket.on("notification", function (data) { setUnread(data.unread); });
  socket.on("notifications:unread", function (data) { setUnread(data.unread); });
  socket.on("presence", function (data) {
    document.querySelectorAll("[data-presence-room]").forEach(function (element) {
      if (element.getAttribute("data-presence-room") === data.room) {
        element.textContent = String(data.present);
      }
    });
  });
  /* A join asked for before the first connection waits in the client's buffer and is sent on
   * connecting; after a reconnect the server has forgotten this socket's rooms, so ask again. */
  socket.on("connect", function () {
    if (connectedBefore) {
      wanted.forEach(function (room) { socket.emit("join", { room: room }); });
    }
    connectedBefore = true;
  });

  document.querySelectorAll("[data-presence-room]").forEach(function (element) {
    join(element.getAttribute("data-presence-room")).then(function (ack) {
      if (ack && ack.ok) {
        element.textContent = String(ack.present);
      }
    });
  });

  window.Community = window.Community || {};
  window.Community.socket = {
    join: join,
    leave: leave,
    call: function (event, data) { return socket.emitWithAck(event, data); },
    on: function (event, handler) { socket.on(event, handler); },
    off: function (event, handler) { socket.off(event, handler); },
    get connected() { return socket.connected; }
  };
}());
