// Case list: a box above each long facet narrows its options to those whose name (or code) holds
// what the reader types; a chosen option always stays. Without this script the box stays hidden
// and every option is listed (the list scrolls).
(function () {
  "use strict";
  function narrow(box) {
    var list = document.getElementById(box.getAttribute("aria-controls"));
    if (!list) return;
    var wanted = box.value.trim().toLowerCase();
    var matched = 0; // options that hold the text (a chosen one is kept whether or not it does)
    list.querySelectorAll("li").forEach(function (item) {
      var link = item.querySelector("a");
      if (!link) return;
      var text = (link.textContent + " " + (link.dataset.value || "")).toLowerCase();
      var match = !wanted || text.indexOf(wanted) !== -1;
      item.hidden = !match && !link.classList.contains("selected");
      if (match) matched += 1;
    });
    var none = list.querySelector("li.no-match");
    if (!none) {
      none = document.createElement("li");
      none.className = "no-match zero";
      none.textContent = box.dataset.none || "";
      list.appendChild(none);
    }
    none.hidden = matched > 0;
  }
  document.querySelectorAll("input.facet-filter").forEach(function (box) {
    box.hidden = false;
    box.addEventListener("input", function () { narrow(box); });
    if (box.value) narrow(box); // a value the browser restored on going back
  });
})();
