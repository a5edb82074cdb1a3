/* One listbox of suggestions under a text field, for the pickers that look people up as they are
 * typed (people-picker.js: addresses in a field; forums.js: @mentions in a post). The picker says
 * what is being looked up (``query``: the text, or null for nothing), where (``url``), how an
 * option reads (``render``) and what choosing it does (``choose``); this file asks the lookup
 * 150 ms after the last key, keeps only the newest answer, and gives the keyboard: Arrow keys move,
 * Enter or Tab choose, Escape closes; a click chooses too. ``expanded``: whether the field takes
 * aria-expanded (a combobox input does; a textarea keeps the textbox role, which does not allow it). */
(function () {
  "use strict";
  window.Community = window.Community || {};
  window.Community.combobox = function (field, options) {
    var list = document.createElement("ul");
    list.id = options.id;
    list.className = options.className;
    list.setAttribute("role", "listbox");
    if (options.label) { list.setAttribute("aria-label", options.label); }
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    if (options.expanded) { field.setAttribute("aria-expanded", "false"); }
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function expand(open) {
      if (options.expanded) { field.setAttribute("aria-expanded", open ? "true" : "false"); }
    }

    function close() {
      asked += 1;
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      expand(false);
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(position) {
      active = position;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) { field.setAttribute("aria-activedescendant", list.children[active].id); }
    }

    function choose(position) {
      var item = items[position];
      if (!item) { return; }
      options.choose(item);
      close();
      field.focus();
    }

    function show(found) {
      list.textContent = "";
      items = found;
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        options.render(item, option);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(option);
      });
      list.hidden = found.length === 0;
      expand(found.length > 0);
      highlight(found.length ? 0 : -1);
    }

    field.addEventListener("input", function () {
      var query = options.query();
      window.clearTimeout(timer);
      if (query === null) { close(); return; }
      timer = window.setTimeout(function () {
        var ask = ++asked;
        fetch(options.url(query), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) { if (ask === asked) { show(data.items || []); } })
          .catch(close);
      }, 150);
    });

    field.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); choose(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    field.addEventListener("blur", function () { window.setTimeout(close, 150); });
  };
}());
