// Live progress of a publication: polls its JSON every second and reloads the page when it
// ends (the page then shows its result or the reason it failed).
(function () {
  var box = document.getElementById("publication-progress");
  if (!box) return;
  function show(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value === null || value === undefined ? "–" : value;
  }
  // Screen readers hear the publication's state in a live region: at once when its status
  // changes, and the emails left at most every ten seconds.
  var announced = { label: "", at: 0 };
  function announce(job) {
    var now = Date.now();
    if (job.label === announced.label && now - announced.at < 10000) return;
    announced = { label: job.label, at: now };
    show("publication-announce", job.label + ": " + job.emails_left + " emails to go.");
  }
  function poll() {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status !== "queued" && job.status !== "running") { window.location.reload(); return; }
        show("publication-status", job.label);
        show("publication-queued", job.emails_queued);
        show("publication-left", job.emails_left);
        announce(job);
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
