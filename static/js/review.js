// The review screen (templates/admin/cases/case/review.html). Without this script every part still works:
// a highlight is a link to its row, a row's form opens in its <details> and posts, the add form takes typed
// offsets. With it: a click on a highlight opens its row's form; forms save in place; a selection of the text
// fills the add form with its offsets; j/k (n/p) walk the flagged items, ] or Shift+N opens the next case.
(function () {
  "use strict";
  var screen = document.querySelector(".rv-screen");
  var text = document.getElementById("rv-text");
  if (!screen || !text) return;

  // ---- a highlight opens its row

  function openRow(key, focus) {
    var row = document.getElementById("row-" + key);
    if (!row) return;
    var details = row.querySelector("details");
    if (details) details.open = true;
    document.querySelectorAll(".rv-hl.rv-active").forEach(function (el) { el.classList.remove("rv-active"); });
    text.querySelectorAll('.rv-hl[data-row="' + key + '"]').forEach(function (el) { el.classList.add("rv-active"); });
    row.scrollIntoView({ block: "nearest" });
    var field = row.querySelector("input:not([type=hidden]), select");
    if (focus && field) field.focus({ preventScroll: true });
  }

  text.addEventListener("click", function (event) {
    var mark = event.target.closest("a.rv-hl[data-row]");
    if (!mark || !window.getSelection().isCollapsed) return;
    event.preventDefault();
    openRow(mark.dataset.row, true);
  });

  // ---- a selection of the text: its offsets in the body, from the pieces' data-start

  // The body offset of a point of a selection. Offsets count characters as the server does (code
  // points), so a character outside the BMP counts once though JavaScript's strings count it twice.
  function bodyOffset(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      var piece = node.parentElement.closest("[data-start]");
      if (!piece || !text.contains(piece)) return null;
      return Number(piece.dataset.start) + Array.from(node.data.slice(0, offset)).length;
    }
    if (node === text) {
      var pieces = text.querySelectorAll("[data-start]");
      if (offset < text.childNodes.length) {
        var next = text.childNodes[offset];
        return next.dataset ? Number(next.dataset.start) : null;
      }
      return pieces.length ? Number(pieces[pieces.length - 1].dataset.end) : 0;
    }
    var holder = node.closest && node.closest("[data-start]");
    if (holder && text.contains(holder)) return Number(offset === 0 ? holder.dataset.start : holder.dataset.end);
    return null;
  }

  var addForm = document.getElementById("rv-add");
  var preview = document.getElementById("rv-selection");

  function readSelection() {
    var selection = window.getSelection();
    if (!addForm || selection.isCollapsed || selection.rangeCount === 0) return;
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
    var start = bodyOffset(range.startContainer, range.startOffset);
    var end = bodyOffset(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    addForm.querySelector("[name=start]").value = start;
    addForm.querySelector("[name=end]").value = end;
    var quote = document.createElement("q");
    quote.textContent = selection.toString();
    preview.textContent = "已选中 ";
    preview.appendChild(quote);
    preview.appendChild(document.createTextNode("（" + start + "–" + end + "）"));
  }
  document.addEventListener("selectionchange", readSelection);

  // ---- forms save in place

  function replaceParts(parts) {
    Object.keys(parts).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.innerHTML = parts[id];
    });
    document.querySelectorAll("[data-count-of]").forEach(function (el) {
      var list = document.getElementById(el.dataset.countOf);
      if (list) el.textContent = list.querySelectorAll("li.rv-row").length;
    });
  }

  function say(form, message, isError) {
    var status = form.querySelector(".rv-status, .rv-note");
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("rv-error", Boolean(isError));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-rv-ajax]")) return;
    event.preventDefault();
    var data = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
    say(form, "保存中……", false);
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, errors: ["服务器错误（" + response.status + "）"] }; });
    }).then(function (result) {
      if (!result.ok) {
        say(form, result.errors.join("；"), true);
        return;
      }
      replaceParts(result.html);
      var key = (result.anchor || "").replace(/^row-/, "");
      var row = document.getElementById(result.anchor);
      if (row) {
        row.classList.add("rv-saved");
        row.scrollIntoView({ block: "nearest" });
        say(row.querySelector("summary"), result.message, false);
      }
      if (form === addForm) {
        say(form, result.message, false);
        form.reset();
        window.getSelection().removeAllRanges();
      }
      if (key) text.querySelectorAll('.rv-hl[data-row="' + key + '"]').forEach(function (el) { el.classList.add("rv-active"); });
    }).catch(function () {
      say(form, "未能保存：网络错误。", true);
    });
  });

  // ---- shortcuts

  var current = -1;
  function flagged() { return Array.prototype.slice.call(screen.querySelectorAll("[data-flag]")); }
  function step(by) {
    var items = flagged();
    if (!items.length) return;
    current = (current + by + items.length) % items.length;
    items.forEach(function (el) { el.classList.remove("rv-current"); });
    var item = items[current];
    item.classList.add("rv-current");
    item.scrollIntoView({ block: "center" });
    if (item.dataset.row) {
      var mark = text.querySelector('.rv-hl[data-row="' + item.dataset.row + '"]');
      if (mark) mark.scrollIntoView({ block: "center" });
      document.querySelectorAll(".rv-hl.rv-active").forEach(function (el) { el.classList.remove("rv-active"); });
      text.querySelectorAll('.rv-hl[data-row="' + item.dataset.row + '"]').forEach(function (el) { el.classList.add("rv-active"); });
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "j" || event.key === "n") { step(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "p") { step(-1); event.preventDefault(); }
    else if (event.key === "]" || event.key === "N") {
      var next = document.getElementById("rv-next-case");
      if (next) window.location.assign(next.href);
      event.preventDefault();
    }
  });
})();
