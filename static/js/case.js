// Case page: a click on a figure scrolls to its sentence and highlights it (and the figure in it).
// Without this script the link's #anchor and the CSS :target rule do the same, less smoothly. Beside the
// highlighted sentence a 返回数据表 link leads back to the figure's row in the table.
(function () {
  "use strict";
  function highlight(link) {
    var sentence = document.getElementById(link.dataset.target);
    if (!sentence) return false;
    document.querySelectorAll(".sentence.highlight").forEach(function (el) { el.classList.remove("highlight"); });
    document.querySelectorAll(".figure.active").forEach(function (el) { el.classList.remove("active"); });
    sentence.classList.add("highlight");
    var figure = sentence.querySelector('.figure[data-metric="' + link.dataset.metric + '"]');
    if (figure) figure.classList.add("active");
    var back = sentence.nextElementSibling; // 返回数据表: back to the row of the figure followed, not the sentence's first
    if (back && back.classList.contains("back-to-table")) back.setAttribute("href", "#" + link.dataset.row);
    var calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    sentence.scrollIntoView({ behavior: calm ? "auto" : "smooth", block: "center" });
    history.replaceState(null, "", "#" + link.dataset.target);
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.figure-link");
    if (link && link.getAttribute("href").charAt(0) === "#" && highlight(link)) event.preventDefault();
  });
})();
