// Live progress of a background job (a scheduler run, a publication, a bulk action): polls the
// JSON named by the page's data-progress-url once a second, writes each value into the
// elements whose data-field names it (a <progress> takes data-value-field and data-max-field),
// and reloads the page when the job ends (the page then shows its result or why it stopped).
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  // Screen readers hear the job's `announce` text in a live region: at once when its
  // `announce_key` (the job's state; the text itself when absent) changes, otherwise when the
  // text changes at most every ten seconds (a count that moves each second is not read out
  // each second).
  var live = document.querySelector("[data-announce]");
  var announced = { text: "", key: "", at: 0 };
  function announce(job) {
    var key = job.announce_key === undefined ? job.announce : job.announce_key;
    var now = Date.now();
    if (!live || !job.announce || job.announce === announced.text) return;
    if (key === announced.key && now - announced.at < 10000) return;
    announced = { text: job.announce, key: key, at: now };
    live.textContent = job.announce;
  }
  function shown(value) {
    return value === null || value === undefined ? "–" : value;
  }
  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (!job.active) { window.location.reload(); return; }
        document.querySelectorAll("[data-field]").forEach(function (el) {
          el.textContent = shown(job[el.dataset.field]);
        });
        document.querySelectorAll("progress[data-value-field]").forEach(function (bar) {
          if (bar.dataset.maxField) bar.max = job[bar.dataset.maxField];
          bar.value = job[bar.dataset.valueField];
        });
        announce(job);
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
