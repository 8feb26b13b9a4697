// An HSDS import's page (templates/admin/directory/hsds_import.html) while the import runs:
// read the page again every few seconds and put its new state in place, until it is done.
// Without JavaScript, the page's "Refresh this page" link does the same.
(function () {
  "use strict";
  var state = document.getElementById("import-state");
  if (!state) {
    return;
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          // A deploy, a restart, a signed-out session: try again a little later.
          window.setTimeout(poll, 5000);
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("import-state");
        if (!fresh) {
          return;
        }
        state.innerHTML = fresh.innerHTML;
        state.dataset.done = fresh.dataset.done;
        if (fresh.dataset.done !== "yes") {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  if (state.dataset.done !== "yes") {
    window.setTimeout(poll, 2000);
  }
})();
