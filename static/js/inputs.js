// Inputs typed the Vietnamese way (ketnghia/forms.py renders them as plain text fields):
// - money (data-money): dots between thousands while typing, 15000000 → 15.000.000;
// - dates (data-date="date" or "datetime"): a button beside the field opens the browser's
//   own picker on a hidden native input, and the date picked is written back dd/mm/yyyy
//   (dd/mm/yyyy hh:mm), whatever the browser's language.
// The server parses what is typed either way, so the forms work without this script.
(function () {
  "use strict";

  function groupDigits(digits) {
    return digits.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function formatMoney(input) {
    const value = input.value;
    // Anything but digits, dots and spaces (a comma, a letter) is left as typed, for the
    // server to refuse with its message rather than silently changed here.
    if (!/^[\d.\s]*$/.test(value)) return;
    const caret = input.selectionStart === null ? value.length : input.selectionStart;
    const digitsBefore = value.slice(0, caret).replace(/\D/g, "").length;
    const formatted = groupDigits(value.replace(/\D/g, ""));
    if (formatted === value) return;
    input.value = formatted;
    // The caret stays after the same digit it followed.
    let position = 0;
    let seen = 0;
    while (position < formatted.length && seen < digitsBefore) {
      if (/\d/.test(formatted[position])) seen += 1;
      position += 1;
    }
    if (document.activeElement === input) input.setSelectionRange(position, position);
  }

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  // "25/03/2024" (or "25/03/2024 08:30") → "2024-03-25" ("2024-03-25T08:30"), or "".
  function toNative(text, withTime) {
    const match = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2}):(\d{2}))?/.exec(text);
    if (!match) return "";
    const date = match[3] + "-" + pad(match[2]) + "-" + pad(match[1]);
    if (!withTime) return date;
    return date + "T" + (match[4] ? pad(match[4]) + ":" + match[5] : "08:00");
  }

  // "2024-03-25" ("2024-03-25T08:30") → "25/03/2024" ("25/03/2024 08:30").
  function fromNative(value) {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(value);
    if (!match) return "";
    const date = match[3] + "/" + match[2] + "/" + match[1];
    return match[4] ? date + " " + match[4] + ":" + match[5] : date;
  }

  function calendarIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute(
      "d",
      "M4 0h2v2h4V0h2v2h3v14H1V2h3zM3 6v8h10V6zm1 1h2v2H4zm3 0h2v2H7zm3 0h2v2h-2zM4 10h2v2H4zm3 0h2v2H7z"
    );
    svg.append(path);
    return svg;
  }

  function addPicker(input) {
    const withTime = input.dataset.date === "datetime";
    const native = document.createElement("input");
    native.type = withTime ? "datetime-local" : "date";
    native.className = "date-picker-native";
    native.tabIndex = -1;
    native.setAttribute("aria-hidden", "true");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "date-picker-button";
    button.append(calendarIcon());
    button.title = input.dataset.pickerLabel || "";
    button.setAttribute("aria-label", input.dataset.pickerLabel || "");
    // The field and its button side by side, whatever width the form gives the field.
    const wrap = document.createElement("span");
    wrap.className = "date-field";
    input.before(wrap);
    wrap.append(input, button, native);

    button.addEventListener("click", () => {
      native.value = toNative(input.value, withTime);
      if (typeof native.showPicker === "function") {
        try {
          native.showPicker();
          return;
        } catch (error) {
          // Not allowed here (an old browser): fall back to focusing the native input.
        }
      }
      native.focus();
      native.click();
    });
    native.addEventListener("change", () => {
      const text = fromNative(native.value);
      if (!text) return;
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function enhance(root) {
    root.querySelectorAll("input[data-money]").forEach((input) => {
      if (input.dataset.moneyBound) return;
      input.dataset.moneyBound = "1";
      input.addEventListener("input", () => formatMoney(input));
      formatMoney(input);
    });
    root.querySelectorAll("input[data-date]").forEach((input) => {
      if (input.dataset.pickerBound) return;
      input.dataset.pickerBound = "1";
      addPicker(input);
    });
  }

  function start() {
    enhance(document);
    // Parts of pages swapped in by htmx get the same treatment.
    document.body.addEventListener("htmx:load", (event) => enhance(event.detail.elt));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
