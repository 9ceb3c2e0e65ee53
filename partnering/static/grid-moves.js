// Moving meetings on the schedule grid. Pick a meeting (drag it, or press its Move button): the
// places where it may go are asked from the server, which judges them by the same rule as the
// move itself, and marked "✓ free". Drop it by mouse, or by keyboard (the arrow keys move
// between those places, Enter drops, Escape cancels). A drop posts the page's move form; the
// server checks it again under its locks and says why when it refuses. Without script, each
// meeting's link leads to its page and its move form.
(function () {
  "use strict";
  var grid = document.getElementById("schedule-grid");
  var form = document.getElementById("grid-move-form");
  var status = document.getElementById("grid-status");
  if (!grid || !form || !status) return;
  var picked = null;
  var cursor = null;

  function say(text) { status.textContent = text; }
  function legalCells() { return Array.prototype.slice.call(grid.querySelectorAll("td.legal")); }
  function position(cell) { return { row: cell.parentElement.rowIndex, col: cell.cellIndex }; }

  function clear() {
    legalCells().forEach(function (cell) {
      cell.classList.remove("legal", "cursor");
      cell.removeAttribute("tabindex");
      cell.removeAttribute("aria-label");
      var hint = cell.querySelector(".drop-hint");
      if (hint) hint.remove();
    });
    if (picked && picked.cell) picked.cell.classList.remove("picked");
    grid.classList.remove("picking");
    picked = null;
    cursor = null;
  }

  function summary(data, shown) {
    var here = data.cells.length;
    var text = picked.names + ": " + (here === 1 ? "1 place" : here + " places") +
      " on this day where it may go";
    if (shown < here) text += " (" + shown + " on the tables shown here)";
    var elsewhere = data.days.filter(function (d) { return d.day !== data.day && d.places; })
      .map(function (d) { return d.label + ": " + d.places; });
    if (elsewhere.length) text += "; other days: " + elsewhere.join(", ");
    if (data.reason) text = picked.names + ": " + data.reason;
    return text + ".";
  }

  function mark(data) {
    var shown = 0;
    data.cells.forEach(function (place) {
      var cell = grid.querySelector('td[data-slot="' + place[0] + '"][data-table="' + place[1] + '"]');
      if (!cell) return;
      shown += 1;
      cell.classList.add("legal");
      cell.setAttribute("tabindex", "-1");
      cell.setAttribute("aria-label", "May go here: " + cell.dataset.label);
      var hint = document.createElement("span");
      hint.className = "drop-hint";
      hint.textContent = "✓ free";
      cell.appendChild(hint);
    });
    return shown;
  }

  // source: {cell, names, places, move}; keyboard: put the cursor on the first place found.
  function pick(source, keyboard) {
    clear();
    var mine = picked = source;
    grid.classList.add("picking");
    if (source.cell) source.cell.classList.add("picked");
    say("Looking for the places where " + source.names + " may go…");
    fetch(source.places, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (picked !== mine) return;
        var shown = mark(data);
        say(summary(data, shown) + (shown ? " Arrow keys move, Enter drops, Escape cancels." : ""));
        if (keyboard && shown) moveCursor(legalCells()[0]);
      })
      .catch(function () {
        if (picked === mine) say("The places could not be loaded; the meeting's page can move it.");
      });
  }

  function fromCell(cell) {
    return { cell: cell, names: cell.dataset.names, places: cell.dataset.places, move: cell.dataset.move };
  }

  function moveCursor(cell) {
    if (!cell) return;
    if (cursor) cursor.classList.remove("cursor");
    cursor = cell;
    cell.classList.add("cursor");
    cell.focus();
    say(picked.names + " to " + cell.dataset.label + "? Enter drops it there, Escape cancels.");
  }

  // The nearest place in a direction: along the row for left and right; for up and down, the
  // nearest row that has one, at the closest column.
  function next(direction) {
    if (!cursor) return legalCells()[0];
    var at = position(cursor);
    var best = null, bestScore = Infinity;
    legalCells().forEach(function (cell) {
      var p = position(cell), score;
      if (direction === "ArrowRight" && p.row === at.row && p.col > at.col) score = p.col - at.col;
      else if (direction === "ArrowLeft" && p.row === at.row && p.col < at.col) score = at.col - p.col;
      else if (direction === "ArrowDown" && p.row > at.row) score = (p.row - at.row) * 1000 + Math.abs(p.col - at.col);
      else if (direction === "ArrowUp" && p.row < at.row) score = (at.row - p.row) * 1000 + Math.abs(p.col - at.col);
      else return;
      if (score < bestScore) { best = cell; bestScore = score; }
    });
    return best;
  }

  function drop(cell) {
    if (!picked || cell === picked.cell) return;
    form.action = picked.move;
    form.elements["move-slot"].value = cell.dataset.slot;
    form.elements["move-table"].value = cell.dataset.table;
    say("Moving " + picked.names + " to " + cell.dataset.label + "…");
    form.submit();
  }

  function cancel() {
    var origin = picked && picked.cell && picked.cell.querySelector("[data-pick]");
    clear();
    say("Move cancelled.");
    if (origin) origin.focus();
  }

  grid.querySelectorAll("[data-pick]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var cell = button.closest("td");
      if (picked && picked.cell === cell) cancel();
      else pick(fromCell(cell), true);
    });
  });

  grid.addEventListener("keydown", function (event) {
    if (!picked) return;
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    } else if (event.key.indexOf("Arrow") === 0) {
      event.preventDefault();
      moveCursor(next(event.key));
    } else if (event.key === "Enter" && cursor && document.activeElement === cursor) {
      event.preventDefault();
      drop(cursor);
    }
  });

  // A click on a marked place drops the picked meeting there.
  grid.addEventListener("click", function (event) {
    var cell = event.target.closest("td.legal");
    if (picked && cell) drop(cell);
  });

  grid.addEventListener("dragstart", function (event) {
    var cell = event.target.closest && event.target.closest("td[data-meeting]");
    if (!cell) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", cell.dataset.meeting);
    pick(fromCell(cell), false);
  });
  // Any other cell takes the drop: the server says why when the place is not allowed.
  grid.addEventListener("dragover", function (event) {
    var cell = event.target.closest && event.target.closest("td[data-slot]");
    if (!picked || !cell || cell === picked.cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  });
  grid.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest("td[data-slot]");
    if (!picked || !cell) return;
    event.preventDefault();
    drop(cell);
  });

  if (grid.dataset.pickMeeting) {
    pick({
      cell: grid.querySelector('td[data-meeting="' + grid.dataset.pickMeeting + '"]'),
      names: grid.dataset.pickNames,
      places: grid.dataset.pickPlaces,
      move: grid.dataset.pickMove
    }, true);
  }
})();
