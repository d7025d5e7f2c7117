// The "select all" box of django-import-export's export page: ticks or clears the boxes of
// every field of the same resource. Bound here rather than by the inline handler the package
// writes, which the Content-Security-Policy forbids.
(function () {
  "use strict";

  function fieldBoxes(toggle) {
    const row = toggle.closest("[resource-index]");
    const selector = row
      ? '.selectable-field-export-row[resource-index="' + row.getAttribute("resource-index") + '"]'
      : ".selectable-field-export-row";
    return Array.from(document.querySelectorAll(selector + ' input[type="checkbox"]')).filter(
      (box) => box !== toggle
    );
  }

  function bind() {
    document.querySelectorAll("input.select-toggle").forEach((toggle) => {
      toggle.addEventListener("change", () => {
        fieldBoxes(toggle).forEach((box) => {
          box.checked = toggle.checked;
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
