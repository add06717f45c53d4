// The e-card's verification code: fetched on load and every 30 seconds, so a screenshot goes stale.
(function () {
  var box = document.getElementById('card-code');
  if (!box) return;
  function refresh() {
    fetch(box.dataset.src, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { box.innerHTML = '<p class="muted">核验码获取失败，请检查网络后刷新页面。</p>'; });
  }
  refresh();
  setInterval(refresh, 30000);
})();
