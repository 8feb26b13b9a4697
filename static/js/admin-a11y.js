// Accessible names that the Django admin's own widgets leave out, found by axe-core on the
// portal's admin pages (tests/browser/test_admin_accessibility.py). Loaded on every admin
// page (templates/admin/base_site.html); it changes names only, never what a field does.
//
// - An autocomplete box (select2) is named by its selected text only: empty, it has no name.
//   It is labelled by its field's <label> as well. A box for several choices lists them in a
//   <ul> that also holds the "clear" button, which a list may not: the <ul> is presentation.
// - The fields of a tabular inline and of an editable list sit in table cells under a column
//   heading, with no label of their own: each is named "<column>, <row>".
// - The search icons of the two-box "filter horizontal" widget carry aria-label without a
//   role, which ARIA does not allow on a <span>: they become images.
//
// The widgets are built by the admin's scripts after the page loads, and rows are added by
// "Add another": every change to the page is looked at again.
(function () {
  "use strict";

  var made = 0;

  function idOf(element) {
    if (!element.id) {
      made += 1;
      element.id = "admin-a11y-" + made;
    }
    return element.id;
  }

  function labelOf(field) {
    return field.id ? document.querySelector('label[for="' + CSS.escape(field.id) + '"]') : null;
  }

  function isNamed(field) {
    return labelOf(field) || field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby");
  }

  function nameAutocompletes() {
    document.querySelectorAll("select + .select2-container").forEach(function (box) {
      var label = labelOf(box.previousElementSibling);
      if (!label) {
        return;
      }
      var labelId = idOf(label);
      box.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        list.setAttribute("role", "presentation");
      });
      var named = '[role="combobox"], [role="textbox"], .select2-search__field';
      box.querySelectorAll(named).forEach(function (part) {
        var names = (part.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
        if (names.indexOf(labelId) === -1) {
          part.setAttribute("aria-labelledby", [labelId].concat(names).join(" "));
        }
      });
    });
  }

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameTableFields(table) {
    var headings = {};
    table.querySelectorAll("thead th").forEach(function (heading) {
      heading.classList.forEach(function (name) {
        if (name.indexOf("column-") === 0) {
          headings[name.slice("column-".length)] = text(heading);
        }
      });
    });
    var deleteHeading = text(table.querySelector("thead th:last-child"));
    table.querySelectorAll("tbody tr").forEach(function (row, index) {
      var rowName = text(row.querySelector("th")) || text(row.querySelector("td.original p")) ||
        String(index + 1);
      row.querySelectorAll("td").forEach(function (cell) {
        var column = "";
        cell.classList.forEach(function (name) {
          if (name.indexOf("field-") === 0) {
            column = headings[name.slice("field-".length)] || "";
          }
        });
        if (cell.classList.contains("delete")) {
          column = deleteHeading;
        }
        if (!column) {
          return;
        }
        cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
          if (!isNamed(field)) {
            field.setAttribute("aria-label", column + ", " + rowName);
          }
        });
      });
    });
  }

  function nameFilterIcons() {
    document.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function nameAll() {
    nameAutocompletes();
    document.querySelectorAll(".tabular table, #result_list").forEach(nameTableFields);
    nameFilterIcons();
  }

  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        nameAll();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAll();
    new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", later);
})();
