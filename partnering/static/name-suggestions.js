// Suggestions for a name field: as the organiser types, asks the field's data-suggest-url for
// the names that contain the text (a few, not the whole event) and offers them in the field's
// <datalist>. Without this script the field still works: the page resolves the typed name.
(function () {
  document.querySelectorAll("input[data-suggest-url]").forEach(function (field) {
    var list = document.getElementById(field.getAttribute("list"));
    if (!list) return;
    var timer = null, asked = "";
    function fill(names) {
      list.replaceChildren.apply(list, names.map(function (found) {
        var option = document.createElement("option");
        option.value = found.name;
        if (found.detail) option.label = found.name + " (" + found.detail + ")";
        return option;
      }));
    }
    function ask() {
      var text = field.value.trim();
      if (text === asked) return;
      asked = text;
      if (text.length < 2) { fill([]); return; }
      var url = field.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (field.value.trim() === text) fill(data.names); })
        .catch(function () { asked = ""; });
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
  });
})();
