// The admin's "Preview the hours residents will see" (directory/admin_hours.py): the change
// form, hours as typed, is sent to the preview address and the week comes back as a fragment
// shown under the button, in a live region a screen reader announces. Nothing is saved.
// Without JavaScript the same button opens the whole preview page in a new tab.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-hours-preview]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var result = document.getElementById(button.getAttribute("aria-controls"));
    button.disabled = true;
    fetch(button.formAction, {
      method: "POST",
      body: new FormData(button.form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        // The fragment is the portal's own template, its values escaped by Django.
        result.innerHTML = html;
      })
      .catch(function () {
        result.textContent = button.dataset.failed;
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
