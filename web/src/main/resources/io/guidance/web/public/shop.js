/* The demo shop: a few pages that use guidance.js as a real shop would. Its catalogue, cart and visitor live in the
 * browser; /demo/session stands in for the site's backend and hands out a visitor id (and a token when the service
 * requires one). */
(function () {
  'use strict';
  var items = [
    {id: '1001', name: 'Trail running shoes', price: 89, category: 'shoes'},
    {id: '1002', name: 'Road running shoes', price: 119, category: 'shoes'},
    {id: '1003', name: 'Merino running socks', price: 15, category: 'socks'},
    {id: '1004', name: 'Rain jacket', price: 149, category: 'jackets'},
    {id: '1005', name: 'Wind vest', price: 69, category: 'jackets'},
    {id: '1006', name: 'Head torch', price: 45, category: 'gear'}
  ];
  var page = document.body.getAttribute('data-page');

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function item(id) { return items.filter(function (i) { return i.id === id; })[0]; }
  function cart() { return JSON.parse(localStorage.getItem('shop.cart') || '[]'); }
  function saveCart(c) { localStorage.setItem('shop.cart', JSON.stringify(c)); }

  function visitor(done) {
    var v = JSON.parse(localStorage.getItem('shop.visitor') || 'null');
    if (v) return done(v);
    fetch('/demo/session', {method: 'POST'}).then(function (r) { return r.json(); }).then(function (v) {
      localStorage.setItem('shop.visitor', JSON.stringify(v));
      done(v);
    });
  }
  function sessionId() {
    var s = sessionStorage.getItem('shop.session');
    if (!s) {
      s = 's-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
      sessionStorage.setItem('shop.session', s);
    }
    return s;
  }

  var main = document.querySelector('main');
  var shown = null;
  if (page === 'index') {
    var grid = el('div', {'class': 'grid'});
    items.forEach(function (i) {
      var card = el('div', {'class': 'card'});
      var link = el('a', {href: '/item/' + i.id, 'data-guidance': 'item-' + i.id});
      link.appendChild(el('h3', {}, i.name));
      link.appendChild(el('div', {'class': 'price'}, '$' + i.price));
      card.appendChild(link);
      grid.appendChild(card);
    });
    main.appendChild(grid);
  } else if (page === 'item') {
    shown = item(location.pathname.split('/').pop()) || items[0];
    main.appendChild(el('h1', {}, shown.name));
    main.appendChild(el('p', {'class': 'price'}, '$' + shown.price));
    var add = el('button', {id: 'add-to-cart', 'data-guidance': ''}, 'Add to cart');
    var fav = el('button', {id: 'favorite', 'class': 'secondary', 'data-guidance': ''}, 'Save for later');
    add.addEventListener('click', function () {
      var c = cart(); c.push(shown.id); saveCart(c);
      Guidance.track('add_to_cart', '#add-to-cart', {item: shown.id, category: shown.category});
      location.href = '/cart';
    });
    fav.addEventListener('click', function () {
      Guidance.track('favorite', '#favorite', {item: shown.id, category: shown.category});
      fav.textContent = 'Saved';
    });
    main.appendChild(add);
    main.appendChild(document.createTextNode(' '));
    main.appendChild(fav);
  } else if (page === 'cart') {
    var c = cart(), total = 0, list = el('ul');
    c.forEach(function (id) {
      var i = item(id);
      if (i) { total += i.price; list.appendChild(el('li', {}, i.name + ' - $' + i.price)); }
    });
    main.appendChild(el('h1', {}, 'Your cart'));
    main.appendChild(c.length ? list : el('p', {}, 'Your cart is empty.'));
    main.appendChild(el('p', {'class': 'price'}, 'Total: $' + total));
    main.appendChild(el('a', {href: '/checkout', id: 'to-checkout', 'class': 'button', 'data-guidance': ''},
      'Go to checkout'));
  } else if (page === 'checkout') {
    var form = document.getElementById('checkout-form');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      Guidance.track('purchase', '#pay', {items: String(cart().length)});
      Guidance.flush();
      saveCart([]);
      form.replaceWith(el('p', {'class': 'notice', id: 'thanks'}, 'Thank you! Your order is on its way.'));
    });
  }

  visitor(function (v) {
    window.shopVisitor = v;
    Guidance.init({endpoint: '', userId: v.userId, sessionId: sessionId(), token: v.token, guides: '/guides.json',
      pollInterval: 1000, pageProps: shown ? {item: shown.id, category: shown.category} : undefined});
  });
})();
