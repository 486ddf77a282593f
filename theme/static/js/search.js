// Pagefind's search UI, with filters for section, topic and outlet (set on story pages).
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    baseUrl: element.getAttribute("data-base-url") || "/",
    translations: { placeholder: "Search stories" }
  });
});
