/* Forums: enhancement only. Every page works without this file.
 * - live replies, edits and vote counts in an open thread (the thread's socket room);
 * - live reply counts and "N new replies" on a category page (the category's room);
 * - voting without a reload;
 * - @mention autocomplete in the composer, usable from the keyboard (combobox + listbox). */
(function () {
  "use strict";

  var thread = document.getElementById("thread");
  var category = document.getElementById("category");
  var status = document.getElementById("live-status");

  function say(text) {
    if (status && text) { status.textContent = ""; window.setTimeout(function () { status.textContent = text; }, 50); }
  }

  function csrfFrom(form) {
    var input = form.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function fragment(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    });
  }

  function toElement(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function postUrl(number) {
    return "/forums/t/" + thread.dataset.threadId + "/p/" + number + "/fragment";
  }

  function replacePost(number) {
    var existing = document.getElementById("post-" + number);
    if (!existing) { return; }
    fragment(postUrl(number)).then(function (html) {
      var fresh = toElement(html);
      if (fresh) { existing.replaceWith(fresh); }
    }).catch(function () { /* the page stays as it was; a reload shows the change */ });
  }

  /* Voting without a reload: the server answers an HX-Request with the post's fragment. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("vote-form")) { return; }
    event.preventDefault();
    var article = form.closest("article");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrfFrom(form) },
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      if (!response.ok) { form.submit(); return null; }
      return response.text();
    }).then(function (html) {
      if (!html || !article) { return; }
      var fresh = toElement(html);
      if (!fresh) { return; }
      article.replaceWith(fresh);
      var button = fresh.querySelector(".vote");
      if (button) { button.focus(); }
    }).catch(function () { form.submit(); });
  });

  /* Live preview: the draft rendered by the server's own renderer and sanitiser (the same HTML a
     saved post gets, so inserting it is safe), a moment after each pause in typing. */
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-preview]"), function (area) {
    var form = area.form;
    var panel = form && form.querySelector("[data-live-preview]");
    if (!panel) { return; }
    var target = panel.querySelector(".post-body");
    var timer = null, asked = 0;
    function refresh() {
      var ask = ++asked;
      if (!area.value.trim()) { panel.hidden = true; return; }
      fetch(area.dataset.preview, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrfFrom(form) },
        body: JSON.stringify({ body: area.value })
      }).then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && ask === asked) { target.innerHTML = data.html; panel.hidden = false; }
        }).catch(function () { /* the Preview button still works */ });
    }
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    if (area.value.trim()) { refresh(); }
  });

  /* "Reply" fills in the reply form in place instead of reloading. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".reply-link");
    var replyTo = document.getElementById("reply-to");
    var body = document.getElementById("reply-body");
    if (!link || !replyTo || !body) { return; }
    event.preventDefault();
    replyTo.value = link.dataset.number;
    body.focus();
  });

  /* Live updates come over the page's one socket (realtime.js), which rejoins after a reconnect;
   * signed out there is none, and the page simply stays as it was served. */
  function live(room, handlers) {
    var socket = window.Community && window.Community.socket;
    if (!socket) { return; }
    Object.keys(handlers).forEach(function (name) { socket.on(name, handlers[name]); });
    socket.join(room);
  }

  if (thread) {
    var threadId = thread.dataset.threadId;
    live("thread:" + threadId, {
      "forum:post_created": function (data) {
        if (data.thread_id !== threadId || document.getElementById("post-" + data.number)) { return; }
        if (document.getElementById("next-page")) {
          document.getElementById("new-replies").hidden = false;
          return;
        }
        fragment(postUrl(data.number)).then(function (html) {
          var fresh = toElement(html);
          if (!fresh) { return; }
          fresh.classList.add("live-new");
          document.getElementById("posts").appendChild(fresh);
          say(thread.dataset.msgNewReply);
        }).catch(function () { document.getElementById("new-replies").hidden = false; });
      },
      "forum:post_edited": function (data) { if (data.thread_id === threadId) { replacePost(data.number); } },
      "forum:post_voted": function (data) {
        var article = document.querySelector("article[data-post-id='" + data.post_id + "']");
        var count = article && article.querySelector(".vote-count");
        if (count) { count.textContent = String(data.votes); }
      },
      "forum:answer_accepted": function (data) { if (data.thread_id === threadId) { document.getElementById("new-replies").hidden = false; } },
      "forum:thread_changed": function (data) { if (data.thread_id === threadId) { document.getElementById("new-replies").hidden = false; } }
    });
  }

  if (category) {
    live("category:" + category.dataset.categoryId, {
      "forum:thread_activity": function (data) {
        var row = document.querySelector("tr[data-thread-id='" + data.thread_id + "']");
        if (!row) { return; }
        row.querySelector(".reply-count").textContent = String(data.reply_count);
        var lastRead = row.dataset.lastRead;
        if (lastRead === "") { return; }
        var unread = data.last_number - parseInt(lastRead, 10);
        var holder = row.querySelector(".unread");
        if (unread > 0 && holder) {
          var template = unread === 1 ? category.dataset.msgOneNew : category.dataset.msgManyNew;
          holder.querySelector("a").textContent = template.replace("{n}", String(unread));
          holder.hidden = false;
        }
      }
    });
  }

  /* @mention autocomplete: a combobox over the textarea. The lookup runs on up to three words
   * after "@" ("@Fatima Men" finds Fatima Menon, "@Men" too) and each option shows the face,
   * designation and organisation that tell namesakes apart. Arrow keys move, Enter or Tab choose,
   * Escape closes; the choice inserts @[Name](id), a mention of that person, not of a name.
   * No aria-expanded: a textarea keeps the textbox role, which does not allow it (axe-core
   * counts it critical); aria-activedescendant tells screen readers which option is active. */
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), function (area, index) {
    var query = null;
    window.Community.combobox(area, {
      id: "mention-list-" + index,
      className: "mention-list",
      expanded: false,
      query: function () {
        var match = /(^|\s)@([^\s@\[\]()]+(?: [^\s@\[\]()]*){0,2})$/.exec(area.value.slice(0, area.selectionStart));
        query = match && match[2].length <= 40 ? match[2] : null;
        return query;
      },
      url: function (typed) {
        return area.dataset.mentions + (area.dataset.mentions.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(typed);
      },
      render: function (item, option) {
        var face = document.createElement("img");
        face.src = item.avatar;
        face.alt = "";
        face.width = 32;
        face.height = 32;
        face.className = "avatar";
        var text = document.createElement("span");
        var name = document.createElement("strong");
        name.textContent = item.name;
        text.appendChild(name);
        var about = [item.designation, item.organisation].filter(Boolean).join(", ");
        if (about) {
          var detail = document.createElement("small");
          detail.textContent = about;
          text.appendChild(detail);
        }
        option.appendChild(face);
        option.appendChild(text);
      },
      choose: function (item) {
        if (!query) { return; }
        var caret = area.selectionStart;
        var before = area.value.slice(0, caret - query.length - 1);
        area.value = before + item.insert + " " + area.value.slice(caret);
        var at = before.length + item.insert.length + 1;
        area.setSelectionRange(at, at);
      }
    });
  });
})();
