/* Live updates over Socket.IO. Pages work without this file; it only keeps them current.
 *
 * Opens one WebSocket per page (the session cookie authenticates it), keeps the header badge's
 * unread count up to date, and offers window.communityRealtime so a page can join a room it
 * shows ("thread:<id>", "event:<id>", ...) and listen for that room's events:
 *
 *   communityRealtime.join("thread:" + id).then((ack) => ...);
 *   communityRealtime.on("reply", (data) => ...);
 */
(function () {
  "use strict";
  if (typeof window.io !== "function") {
    return;
  }
  var socket = window.io({ transports: ["websocket"], withCredentials: true });
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
  /* After a reconnect the server has forgotten this socket's rooms: ask for them again. */
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

  window.communityRealtime = {
    socket: socket,
    join: join,
    leave: leave,
    on: function (event, handler) { socket.on(event, handler); },
    off: function (event, handler) { socket.off(event, handler); },
  };
})();
