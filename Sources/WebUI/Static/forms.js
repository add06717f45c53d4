// Shared by the member site and the console: a chosen file's name beside its 选择文件 button.
(function () {
  'use strict';
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'file') return;
    var name = input.closest('.file-pick') && input.closest('.file-pick').querySelector('.file-name');
    if (!name) return;
    var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    name.textContent = files.length ? files.join('，') : '未选择文件';
  });
})();
