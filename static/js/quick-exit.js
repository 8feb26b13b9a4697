// The quick-exit link of a sensitive listing leaves at once, and Escape does the same. The
// listing is replaced in the browser's history by the neutral page, so "back" does not
// return to it. Without JavaScript the link still leaves (the listing stays in the history).
(function () {
  function leave(link) {
    window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-quick-exit]");
    if (link) {
      event.preventDefault();
      leave(link);
    }
  });
  document.addEventListener("keydown", function (event) {
    var link = document.querySelector("[data-quick-exit]");
    if (link && event.key === "Escape") {
      leave(link);
    }
  });
})();
