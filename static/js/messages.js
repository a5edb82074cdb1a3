/* A conversation page made live. Without this file the page works as it is: the form posts and
 * the page reloads. With it, the page joins the conversation's room ("messages:enter", which the
 * server grants to participants only), shows new, edited and deleted messages as they come,
 * sends through the API without reloading, marks what arrives read while the page is visible,
 * shows who is writing, and updates the read receipt and the header's messages badge. */
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var live = window.Community && window.Community.socket;
  if (!list || !live) {
    return;
  }
  var id = list.getAttribute("data-conversation");
  var me = list.getAttribute("data-me");
  var form = document.getElementById("send-form");
  var typing = document.getElementById("typing");
  var receipt = document.getElementById("read-receipt");
  var api = "/api/v1/messages/conversations/" + id;
  var typingTimer = null;
  var lastTyped = 0;

  function csrf() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {})
    });
  }

  function markRead() {
    if (document.visibilityState === "visible") {
      post(api + "/read");
    }
  }

  function add(message) {
    if (document.getElementById("m-" + message.id)) {
      return;
    }
    var item = document.createElement("li");
    item.id = "m-" + message.id;
    item.setAttribute("data-at", message.at);
    var meta = document.createElement("p");
    meta.className = "meta";
    var who = document.createElement("strong");
    who.textContent = message.author_name || "";
    var when = document.createElement("time");
    when.setAttribute("datetime", message.at);
    when.textContent = new Date(message.at).toLocaleString();
    meta.appendChild(who);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(when);
    var body = document.createElement("div");
    body.className = "body";
    body.innerHTML = message.html; /* rendered and sanitised by the server, as on the page */
    item.appendChild(meta);
    item.appendChild(body);
    list.appendChild(item);
    if (message.author_id === me) {
      item.setAttribute("data-mine", "");
      if (receipt) { receipt.hidden = true; }
    } else {
      if (typing) { typing.textContent = ""; }
      markRead();
    }
  }

  live.on("messages:new", function (data) {
    if (data.conversation_id === id) { add(data.message); }
  });
  live.on("messages:edited", function (data) {
    var body = data.conversation_id === id && document.querySelector("#m-" + data.id + " .body");
    if (body) { body.innerHTML = data.html; }
  });
  live.on("messages:deleted", function (data) {
    var body = data.conversation_id === id && document.querySelector("#m-" + data.id + " .body");
    if (body) { body.textContent = ""; }
  });
  live.on("messages:read", function (data) {
    if (data.conversation_id !== id || !receipt || list.getAttribute("data-receipts") !== "on") {
      return;
    }
    receipt.textContent = receipt.getAttribute("data-seen-label") + " " + new Date(data.at).toLocaleString();
    receipt.hidden = false;
  });
  live.on("messages:typing", function (data) {
    if (data.conversation_id !== id || !typing) {
      return;
    }
    typing.textContent = typing.getAttribute("data-typing-label").replace("%(name)s", data.name);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.textContent = ""; }, 5000);
  });
  live.on("messages:unread", function (data) {
    var badge = document.querySelector("[data-messages-unread]");
    if (!badge || typeof data.unread !== "number") {
      return;
    }
    badge.textContent = String(data.unread);
    badge.hidden = data.unread === 0;
    badge.classList.toggle("badge", data.unread > 0);
  });

  function enter() { return live.call("messages:enter", { conversation_id: id }); }
  enter().then(function (ack) {
    if (ack && ack.ok) {
      list.setAttribute("data-live", "");
    }
  });
  live.on("connect", enter);
  document.addEventListener("visibilitychange", markRead);

  if (form) {
    var text = form.querySelector("textarea[name=body]");
    text.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyped > 3000) {
        lastTyped = now;
        live.call("messages:typing", { conversation_id: id });
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      post(api + "/messages", { body: text.value }).then(function (response) {
        if (response.ok) {
          return response.json().then(function (message) { add(message); text.value = ""; });
        }
        form.submit(); /* the page says what was wrong, next to the field */
      }).catch(function () { form.submit(); }).finally(function () { button.disabled = false; text.focus(); });
    });
  }
}());
