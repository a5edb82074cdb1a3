/* People pickers: a text field of e-mail addresses separated by commas (data-people = the people
 * lookup's address) becomes a combobox. The part after the last comma is looked up by name or
 * address; each option shows the name, designation and address, so namesakes are told apart;
 * Arrow keys move, Enter or Tab choose, Escape closes, and the choice puts that person's address
 * in place of what was typed. The field works without this file: addresses typed by hand. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input[data-people]"), function (field, index) {
    var list = document.createElement("ul");
    list.id = "people-list-" + index;
    list.className = "people-list";
    list.setAttribute("role", "listbox");
    var label = field.id && document.querySelector('label[for="' + field.id + '"]');
    if (label) { list.setAttribute("aria-label", label.textContent); }
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "false");
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      asked += 1;
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(position) {
      active = position;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) { field.setAttribute("aria-activedescendant", list.children[active].id); }
    }

    function typed() {
      var parts = field.value.split(",");
      return parts[parts.length - 1].trim();
    }

    function choose(position) {
      var item = items[position];
      if (!item) { return; }
      var parts = field.value.split(",");
      parts[parts.length - 1] = (parts.length > 1 ? " " : "") + item.email;
      field.value = parts.join(",") + ", ";
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
        var name = document.createElement("strong");
        name.textContent = item.name;
        var detail = document.createElement("small");
        detail.textContent = [item.designation, item.email].filter(Boolean).join(", ");
        option.appendChild(name);
        option.appendChild(detail);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(option);
      });
      list.hidden = found.length === 0;
      field.setAttribute("aria-expanded", found.length ? "true" : "false");
      highlight(found.length ? 0 : -1);
    }

    field.addEventListener("input", function () {
      var query = typed();
      window.clearTimeout(timer);
      if (query.length < 2) { close(); return; }
      timer = window.setTimeout(function () {
        var ask = ++asked;
        fetch(field.dataset.people + "?limit=8&q=" + encodeURIComponent(query),
              { credentials: "same-origin", headers: { "Accept": "application/json" } })
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
  });
})();
