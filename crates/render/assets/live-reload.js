// Live reload for `designdoc preview`: long-polls the server for a new build and reloads.
(function () {
  var seen = null;
  function poll() {
    fetch('/__designdoc/version?seen=' + (seen === null ? '' : seen), { cache: 'no-store' })
      .then(function (r) { return r.text(); })
      .then(function (v) { if (seen !== null && v !== seen) { location.reload(); return; } seen = v; poll(); })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
