// The shopper's account in the header: "Sign in" for a guest; signed in, the shopper's name,
// which opens a small menu (Your devices, Sign out, Sign out everywhere). Signing in or out
// swaps the cart and the orders under the page (the account's, or a new guest's), so pages
// follow it through onChange.

import * as devices from './account-devices.js';
import * as forms from './account-forms.js';
import { api } from './api.js';
import { setText, toast } from './dom.js';

/** `{ name, email }` while signed in, null for a guest. */
let who = null;
/** False until the store has first answered: that answer is the page's start, not a change. */
let known = false;
/** The question in flight, shared: the header and the cart page both ask when the page opens. */
let asking = null;
const listeners = [];
const el = (id) => document.getElementById(id);

/** The account signed in, as last heard from the store; null for a guest. */
export const current = () => who;

/** Calls `fn(account)` after each sign-in and sign-out (account null for a guest). */
export function onChange(fn) {
  listeners.push(fn);
}

export function init() {
  forms.init((account, created) => {
    set(account);
    toast(created ? `Welcome, ${account.name}: your account is ready.` : `Signed in as ${account.name}.`);
  });
  devices.init({ signOut, refresh });
  el('account-signin').addEventListener('click', () => forms.open(control));
  el('account-menu-button').addEventListener('click', () => showMenu(el('account-menu').hidden));
  el('account-devices').addEventListener('click', () => {
    showMenu(false);
    devices.open(control);
  });
  el('account-signout').addEventListener('click', signOut);
  el('account-signout-everywhere').addEventListener('click', signOutEverywhere);
  wireMenu();
  refresh();
}

/**
 * Asks the store who is signed in and resolves to it (null for a guest). Asked again when a page
 * needs it, because another device may have ended this session since.
 */
export function refresh() {
  asking ??= api.account()
    .then(set, (error) => {
      // Only "not signed in" is an answer; an outage leaves the header as it was.
      if (error.status === 401 || !known) set(null);
    })
    .then(() => who)
    .finally(() => { asking = null; });
  return asking;
}

function set(account) {
  const changed = (who?.email ?? null) !== (account?.email ?? null);
  who = account ? { name: account.name, email: account.email } : null;
  render();
  if (changed && known) for (const fn of listeners) fn(who);
  known = true;
}

function render() {
  el('account-signin').hidden = who !== null;
  el('account-menu-button').parentElement.hidden = who === null;
  setText('account-name', who?.name ?? '');
  if (!who) showMenu(false);
}

/** Where focus goes when a dialog closes: whichever of the two header controls is showing. */
function control() {
  return who ? el('account-menu-button') : el('account-signin');
}

async function signOut() {
  showMenu(false);
  try {
    await api.signOut();
  } catch (error) {
    // 401: already signed out (ended from another device), which is what was asked.
    if (error.status !== 401) {
      toast(error.message, 'error');
      return;
    }
  }
  set(null);
  toast('Signed out. Your cart stays with your account.');
  control().focus();
}

async function signOutEverywhere() {
  showMenu(false);
  let ended;
  try {
    ({ ended } = await api.signOutEverywhere());
  } catch (error) {
    if (error.status !== 401) {
      toast(error.message, 'error');
      return;
    }
  }
  set(null);
  toast(ended > 1 ? `Signed out on all ${ended} devices.` : 'Signed out.');
  control().focus();
}

function showMenu(open) {
  el('account-menu').hidden = !open;
  el('account-menu-button').setAttribute('aria-expanded', String(open));
}

/**
 * The menu is a disclosure: Tab walks through it in page order, and it closes on Escape (focus
 * back on the name), on a click elsewhere, and when focus leaves it.
 */
function wireMenu() {
  const wrap = el('account-menu-button').parentElement;
  wrap.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || el('account-menu').hidden) return;
    showMenu(false);
    el('account-menu-button').focus();
  });
  wrap.addEventListener('focusout', (e) => {
    if (!wrap.contains(e.relatedTarget)) showMenu(false);
  });
  document.addEventListener('click', (e) => {
    if (!wrap.contains(e.target)) showMenu(false);
  });
}
