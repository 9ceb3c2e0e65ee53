// Live progress of a background job: polls the JSON named by the box's data-progress-url once
// a second, writes each value into the element whose data-field names it, and reloads the page
// when the job ends (the page then shows its result or the reason it failed).
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  // Screen readers hear the job's state in a live region when its wording changes.
  var live = box.querySelector("[data-announce]");
  var announced = "";
  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (!job.active) { window.location.reload(); return; }
        box.querySelectorAll("[data-field]").forEach(function (el) {
          var value = job[el.dataset.field];
          el.textContent = value === null || value === undefined ? "–" : value;
        });
        if (live && job.announce && job.announce !== announced) {
          announced = job.announce;
          live.textContent = job.announce;
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
