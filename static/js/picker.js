/* Pickers (templates/competencies/partials/picker.html): a filter box above each list of
 * checkboxes that hides the options whose text does not contain what is typed. The list works
 * without this file. */
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
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    options.parentNode.insertBefore(wrapper, options);
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLowerCase();
      picker.querySelectorAll(".picker-group").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll(".picker-option").forEach(function (option) {
          var box = option.querySelector("input");
          var match = !wanted || box.checked || option.textContent.toLowerCase().indexOf(wanted) !== -1;
          option.hidden = !match;
          shown += match ? 1 : 0;
        });
        group.hidden = shown === 0;
      });
    });
  });
}());
