// Live progress of a scheduler run: polls the run's JSON once a second and reloads the page
// when the run ends (the page then shows the result or the reason it stopped).
(function () {
  var box = document.getElementById("run-progress");
  if (!box) return;
  function show(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value === null || value === undefined ? "–" : value;
  }
  // Screen readers hear the run's state in a live region: when its status, phase or best
  // schedule changes, not at each tick of the clock.
  var announced = "";
  function announce(run) {
    var best = run.best === null ? "none yet" : Math.round(run.best);
    var text = run.label + ", " + (run.phase || "waiting for a worker") + ". Best so far " + best + ".";
    if (text === announced) return;
    announced = text;
    show("run-announce", text);
  }
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        if (!run.active) { window.location.reload(); return; }
        show("run-status", run.label);
        show("run-best", run.best === null ? null : Math.round(run.best));
        show("run-bound", run.bound === null ? null : Math.round(run.bound));
        show("run-elapsed", run.elapsed);
        show("run-remaining", run.remaining);
        show("run-phase", run.phase || "waiting for a worker");
        announce(run);
        var bar = document.getElementById("run-bar");
        if (bar) { bar.max = run.time_limit; bar.value = run.elapsed; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
