// Pagefind's search UI over every shard of the index (a bundle per quarter or year, newest
// first: the newest is loaded, the others merged in), with filters for section, topic and
// outlet.
window.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  var base = element.getAttribute("data-base-url") || "/";
  var bundles = (element.getAttribute("data-bundles") || "").split(" ").filter(Boolean)
    .map(function (shard) {
      // absolute: Pagefind would resolve a relative bundle path against its own script
      return new URL(base + "pagefind/" + shard + "/", document.baseURI).pathname;
    });
  // Each bundle answers a search on its own, and one without a word that starts with the
  // term answers with the longest word the term starts with ("air" for "airship"); its
  // results are ranked with the others'. Weighing how close a word's length is to the
  // term's (Pagefind's default is 1) puts those below the real matches.
  var ranking = { termSimilarity: 3 };
  new PagefindUI({
    element: "#search",
    bundlePath: bundles[0],
    mergeIndex: bundles.slice(1).map(function (path) {
      return { bundlePath: path, baseUrl: base, ranking: ranking };
    }),
    ranking: ranking,
    showSubResults: true,
    showImages: false,
    baseUrl: base,
    translations: { placeholder: "Search stories" }
  });
});
