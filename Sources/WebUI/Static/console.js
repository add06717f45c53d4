/* 网上职工之家 · 管理后台 —— 渐进增强脚本（无此脚本页面同样可用） */
(function () {
  'use strict';

  var ERROR_TEXT = '加载失败，请重试';

  function childTree(li) {
    for (var el = li.firstElementChild; el; el = el.nextElementSibling) {
      if (el.matches('ul.tree')) return el;
    }
    return null;
  }

  function directChild(li, selector) {
    for (var el = li.firstElementChild; el; el = el.nextElementSibling) {
      if (el.matches(selector)) return el;
    }
    return null;
  }

  function setOpen(li, button, open) {
    li.classList.toggle('open', open);
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  function clearError(li) {
    var err = directChild(li, '.tree-error');
    if (err) err.remove();
  }

  function showError(li, node) {
    clearError(li);
    var err = document.createElement('span');
    err.className = 'tree-error';
    err.setAttribute('role', 'alert');
    err.textContent = ERROR_TEXT;
    node.after(err);
  }

  function loadChildren(li, button, url) {
    var node = directChild(li, '.node') || button.parentElement;
    li.setAttribute('aria-busy', 'true');
    button.setAttribute('aria-busy', 'true');
    clearError(li);

    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (res) {
        // 会话过期时服务器会重定向到登录页，不应把整页插入树中
        if (!res.ok || res.redirected) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (html) {
        var tpl = document.createElement('template');
        tpl.innerHTML = html.trim();
        var ul = tpl.content.querySelector('ul.tree');
        if (!ul) throw new Error('no ul.tree in response');
        // 防止并发点击导致重复插入
        var existing = childTree(li);
        if (existing) existing.remove();
        node.after(ul);
        li.classList.add('loaded');
        setOpen(li, button, true);
      })
      .catch(function () {
        setOpen(li, button, false);
        showError(li, node);
      })
      .then(function () {
        li.removeAttribute('aria-busy');
        button.removeAttribute('aria-busy');
      });
  }

  function onToggle(button) {
    if (button.disabled) return;
    var li = button.closest('li');
    if (!li || li.getAttribute('aria-busy') === 'true') return;

    var url = button.getAttribute('data-children-url');
    if (li.classList.contains('loaded') || childTree(li) || !url) {
      // 已加载（或服务器已渲染子节点）：只切换展开状态，不重新请求
      setOpen(li, button, !li.classList.contains('open'));
      return;
    }
    loadChildren(li, button, url);
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest('button.toggle');
    if (!button || !button.closest('ul.tree')) return;
    event.preventDefault();
    onToggle(button);
  });

  // 初始化 aria-expanded（服务器渲染时可能已展开某些节点）
  function initTrees(root) {
    var buttons = root.querySelectorAll('ul.tree button.toggle');
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      if (b.disabled || b.hasAttribute('aria-expanded')) continue;
      var li = b.closest('li');
      if (li) b.setAttribute('aria-expanded', li.classList.contains('open') ? 'true' : 'false');
    }
  }

  // 二次确认：<form data-confirm="确定要删除吗？">
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var message = form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { initTrees(document); });
  } else {
    initTrees(document);
  }

  // A page answered to a POST that showed something once (a revealed number) takes its GET address,
  // so a refresh reloads the plain page instead of posting again.
  var replace = document.querySelector('[data-replace-url]');
  if (replace && window.history && history.replaceState) {
    history.replaceState(null, '', replace.getAttribute('data-replace-url'));
  }
})();
