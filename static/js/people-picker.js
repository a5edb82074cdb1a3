/* People pickers: a text field of e-mail addresses separated by commas (data-people = the people
 * lookup's address) becomes a combobox (combobox.js). The part after the last comma is looked up
 * by name or address; each option shows the name, designation and address, so namesakes are told
 * apart; the choice puts that person's address in place of what was typed. The field works
 * without this file: addresses typed by hand. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("input[data-people]"), function (field, index) {
    var label = field.id && document.querySelector('label[for="' + field.id + '"]');
    field.setAttribute("role", "combobox");

    function typed() {
      var parts = field.value.split(",");
      return parts[parts.length - 1].trim();
    }

    window.Community.combobox(field, {
      id: "people-list-" + index,
      className: "people-list",
      label: label ? label.textContent : "",
      expanded: true,
      query: function () {
        var query = typed();
        return query.length < 2 ? null : query;
      },
      url: function (query) { return field.dataset.people + "?limit=8&q=" + encodeURIComponent(query); },
      render: function (item, option) {
        var name = document.createElement("strong");
        name.textContent = item.name;
        var detail = document.createElement("small");
        detail.textContent = [item.designation, item.email].filter(Boolean).join(", ");
        option.appendChild(name);
        option.appendChild(detail);
      },
      choose: function (item) {
        var parts = field.value.split(",");
        parts[parts.length - 1] = (parts.length > 1 ? " " : "") + item.email;
        field.value = parts.join(",") + ", ";
      }
    });
  });
})();
