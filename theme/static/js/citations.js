// Citation cards on touch screens: the first tap on a citation shows its card (outlet,
// title, date), a second tap follows the link. Mouse and keyboard need no script: the
// card shows on :hover and :focus-visible in CSS.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(hover: none)").matches) return;
  var open = null;
  function close() {
    if (open) open.classList.remove("is-open");
    open = null;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.citation") : null;
    if (!link) { close(); return; }
    if (link === open) return; // second tap: follow the link
    event.preventDefault();
    close();
    link.classList.add("is-open");
    open = link;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
})();
