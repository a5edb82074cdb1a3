/* The events' form invites people by name as well as by address: the lookup field (hidden until
 * this file runs; data-people-lookup = the people lookup's address) becomes a combobox
 * (combobox.js) listing the members whose name starts as typed, each with the designation and
 * organisation that tell namesakes apart; choosing one adds them, ticked, to the people to invite
 * (the form's invite_ids), named, not by id. Without this file the field stays hidden and people
 * are invited by their addresses. */
(function () {
  "use strict";
  var field = document.querySelector("input[data-people-lookup]");
  var chosen = document.getElementById("invite-chosen");
  if (!field || !chosen || !window.Community || !window.Community.combobox) { return; }
  var wrapper = document.getElementById("invite-picker");
  var label = document.querySelector('label[for="' + field.id + '"]');
  var template = chosen.dataset.inviteLabel;
  wrapper.hidden = false;
  field.setAttribute("role", "combobox");

  function already(id) {
    return Array.prototype.some.call(chosen.querySelectorAll("input[name=invite_ids]"), function (box) {
      return box.value === id;
    });
  }

  window.Community.combobox(field, {
    id: "invite-people-list",
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
      box.name = "invite_ids";
      box.value = item.id;
      box.checked = true;
      tick.appendChild(box);
      tick.appendChild(document.createTextNode(" " + template.replace("%(name)s", item.name)));
      row.appendChild(tick);
      chosen.appendChild(row);
    }
  });
}());
