// Entry point: routes between the three pages by URL hash and remembers the last one.

import { api, OUTAGE_EVENT } from './api.js';
import { showCartCount } from './cart-count.js';
import * as catalog from './catalog.js';
import * as cart from './cart.js';
import * as dashboard from './dashboard.js';

const pages = { catalog, cart, dashboard };
const LAST_PAGE = 'carstore.page';
let current = null;

function pageFromHash() {
  const name = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return Object.hasOwn(pages, name) ? name : null;
}

function show(name) {
  if (current === name) return;
  if (current) {
    pages[current].leave?.();
    document.getElementById(`page-${current}`).hidden = true;
  }
  current = name;
  localStorage.setItem(LAST_PAGE, name);
  document.getElementById(`page-${name}`).hidden = false;
  window.scrollTo(0, 0);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${{ catalog: 'Catalog', cart: 'Your cart', dashboard: 'Service dashboard' }[name]} · CarStore`;
  pages[name].enter();
}

function route() {
  const name = pageFromHash();
  if (name) {
    show(name);
  } else {
    const remembered = localStorage.getItem(LAST_PAGE);
    location.replace(`#/${Object.hasOwn(pages, remembered) ? remembered : 'catalog'}`);
  }
}

let outageTimer;
function showOutage(event) {
  const banner = document.getElementById('outage');
  banner.textContent = event.detail.message;
  banner.hidden = false;
  clearTimeout(outageTimer);
  outageTimer = setTimeout(() => { banner.hidden = true; }, 8000);
}

function start() {
  for (const page of Object.values(pages)) page.init();
  window.addEventListener('hashchange', () => {
    route();
    document.getElementById('main').focus({ preventScroll: true });
  });
  window.addEventListener(OUTAGE_EVENT, showOutage);
  route();
  api.cart().then(showCartCount).catch(() => {});
}

start();
