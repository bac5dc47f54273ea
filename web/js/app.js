// Entry point: routes between the pages by URL hash (`#/cart`, `#/dashboard?token=...`) and
// remembers the last one.
//
// A page is a module that exports:
//   init()         once, at start: wires its fixed elements, so entering again never adds a
//                  second listener to the same button;
//   enter(params, signal)
//                  each time it is shown, with the link's parameters (a URLSearchParams, often
//                  empty) and the page's cancel signal: it loads fresh data and subscribes to
//                  what it follows live, because a page that was hidden missed every change
//                  meanwhile. Every fetch, poll and feed subscription it starts takes `signal`;
//   leave()        (optional) when another page is shown, after `signal` has fired: closes
//                  what is not a request (the order dialog), so a hidden page costs nothing;
//   accountChanged(account)
//                  (optional) when the shopper signs in or out while it shows: what it shows
//                  of the cart or orders belonged to the other one.
// A link with parameters is acted on even when its page is already showing (a token is put in
// the sign-in form, for the admin to send with one press); the parameters then leave the
// address bar at once, so a token is never kept in history, bookmarks or a shared screen.

import * as account from './account.js';
import { api, OUTAGE_EVENT } from './api.js';
import { showCartCount } from './cart-count.js';
import * as catalog from './catalog.js';
import * as cart from './cart.js';
import * as dashboard from './dashboard.js';
import * as scenarios from './scenarios.js';

const pages = { catalog, cart, dashboard, scenarios };
const TITLES = { catalog: 'Catalog', cart: 'Your cart', dashboard: 'Service dashboard', scenarios: 'Guided scenarios' };
const LAST_PAGE = 'carstore.page';
let current = null;
/** Fired when the page showing is left: cancels everything it started. */
let leaving = null;

/** The page a hash names (null when none) and the link's parameters. */
function parseHash() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const name = path.split('/')[0];
  return { name: Object.hasOwn(pages, name) ? name : null, params: new URLSearchParams(query), linked: query !== '' };
}

function show(name, params, linked) {
  if (current === name && !linked) return;
  if (current) {
    leaving.abort();
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
  document.title = `${TITLES[name]} · CarStore`;
  leaving = new AbortController();
  pages[name].enter(params, leaving.signal);
}

function route() {
  const { name, params, linked } = parseHash();
  if (!name) {
    const remembered = localStorage.getItem(LAST_PAGE);
    location.replace(`#/${Object.hasOwn(pages, remembered) ? remembered : 'catalog'}`);
    return;
  }
  // replaceState fires no hashchange, so this does not route a second time.
  if (linked) history.replaceState(null, '', `#/${name}`);
  show(name, params, linked);
}

let outageTimer;
function showOutage(event) {
  const banner = document.getElementById('outage');
  banner.textContent = event.detail.message;
  banner.hidden = false;
  clearTimeout(outageTimer);
  outageTimer = setTimeout(() => { banner.hidden = true; }, 8000);
}

/**
 * Signing in or out changes which cart and orders this browser sees: the page showing them
 * reloads them (and the badge with them); on any other page, the badge is read again.
 */
function accountChanged(who) {
  if (pages[current]?.accountChanged) pages[current].accountChanged(who);
  else api.cart().then(showCartCount).catch(() => {});
}

function start() {
  for (const page of Object.values(pages)) page.init();
  window.addEventListener('hashchange', () => {
    document.getElementById('main').focus({ preventScroll: true });
    route(); // after, so a page may move focus further in (a sign-in link's button)
  });
  window.addEventListener(OUTAGE_EVENT, showOutage);
  account.init();
  account.onChange(accountChanged);
  route();
  api.cart().then(showCartCount).catch(() => {});
}

start();
