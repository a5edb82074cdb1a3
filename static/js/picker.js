/* Pickers (templates/competencies/partials/picker.html): a filter box above each list of
 * checkboxes. Until something is typed only the ticked options are listed (a dictionary of a
 * hundred and more would otherwise be as many Tab stops between a form's fields); then the
 * options whose text contains it. Without this file the whole list shows. */
(function () {
  "use strict";
  var count = 0;
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var options = picker.querySelector(".picker-options");
    if (!options) {
      return;
    }
    count += 1;
    var wrapper = document.createElement("div");
    wrapper.className = "picker-filter";
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = "picker-filter-" + count;
    input.autocomplete = "off";
    label.htmlFor = input.id;
    label.textContent = picker.dataset.filterLabel;
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.id = input.id + "-hint";
    hint.textContent = picker.dataset.filterHint;
    input.setAttribute("aria-describedby", hint.id);
    wrapper.appendChild(label);
    wrapper.appendChild(hint);
    wrapper.appendChild(input);
    options.parentNode.insertBefore(wrapper, options);
    function filter() {
      var wanted = input.value.trim().toLowerCase();
      picker.querySelectorAll(".picker-group").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll(".picker-option").forEach(function (option) {
          var box = option.querySelector("input");
          var match = box.checked || (wanted !== "" && option.textContent.toLowerCase().indexOf(wanted) !== -1);
          option.hidden = !match;
          shown += match ? 1 : 0;
        });
        group.hidden = shown === 0;
      });
    }
    input.addEventListener("input", filter);
    filter();
  });
}());
