/* The events' form names people by name as well as by address, to invite and to co-host: each
 * lookup field (hidden until this file runs; data-people-lookup = the people lookup's address,
 * data-chosen = the list its choices join, data-field = their checkboxes' name) becomes a combobox
 * (combobox.js) listing the members whose name starts as typed, each with the designation and
 * organisation that tell namesakes apart; choosing one adds them, ticked, to that list (the
 * form's invite_ids or add_cohost_ids), named as the list's data-choice-label says, not by id.
 * Without this file the fields stay hidden and people are named by their addresses. */
(function () {
  "use strict";
  if (!window.Community || !window.Community.combobox) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-people-lookup]"), function (field) {
    var chosen = document.getElementById(field.dataset.chosen);
    var wrapper = field.closest(".field");
    if (!chosen || !wrapper) { return; }
    var label = document.querySelector('label[for="' + field.id + '"]');
    var template = chosen.dataset.choiceLabel;
    wrapper.hidden = false;
    field.setAttribute("role", "combobox");

    function already(id) {
      return Array.prototype.some.call(chosen.querySelectorAll('input[name="' + field.dataset.field + '"]'), function (box) {
        return box.value === id;
      });
    }

    window.Community.combobox(field, {
      id: field.id + "-people-list",
      className: "people-list",
      label: label ? label.textContent : "",
      expanded: true,
      query: function () {
        var query = field.value.trim();
        return query.length < 2 ? null : query;
      },
      url: function (query) {
        return field.dataset.peopleLookup + (field.dataset.peopleLookup.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
      },
      render: function (item, option) {
        var name = document.createElement("strong");
        name.textContent = item.name;
        var detail = document.createElement("small");
        detail.textContent = [item.designation, item.organisation].filter(Boolean).join(", ");
        option.appendChild(name);
        option.appendChild(detail);
      },
      choose: function (item) {
        field.value = "";
        if (already(item.id)) { return; }
        var row = document.createElement("li");
        var tick = document.createElement("label");
        tick.className = "picker-option";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = field.dataset.field;
        box.value = item.id;
        box.checked = true;
        tick.appendChild(box);
        tick.appendChild(document.createTextNode(" " + template.replace("%(name)s", item.name)));
        row.appendChild(tick);
        chosen.appendChild(row);
      }
    });
  });
}());
