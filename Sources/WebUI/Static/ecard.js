// The member's e-card and offers pages (a file, not inline: the site's Content-Security-Policy
// allows scripts from 'self' only).
(function () {
  // The e-card's verification code: fetched on load and every 30 seconds, so a screenshot goes stale.
  var box = document.getElementById('card-code');
  if (box) {
    var refresh = function () {
      fetch(box.dataset.src, { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () { box.innerHTML = '<p class="muted">核验码获取失败，请检查网络后刷新页面。</p>'; });
    };
    refresh();
    setInterval(refresh, 30000);
  }

  // 会员优惠: 按我的位置排序 reloads the list with the phone's position.
  var locate = document.getElementById('locate');
  if (locate) {
    locate.addEventListener('click', function (e) {
      e.preventDefault();
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (p) {
        location.href = '/me/offers?lat=' + p.coords.latitude + '&lng=' + p.coords.longitude;
      });
    });
  }
})();
