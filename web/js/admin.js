// The dashboard's admin side: sign-in with the admin token, the Start/Stop/Restart buttons
// (disabled, with the reason, when they cannot be used) and the audit log: control actions and
// admin sign-ins, failed ones included.

import { api } from './api.js';
import { h, setText, toast } from './dom.js';

const ACTIONS = ['start', 'stop', 'restart'];
let signedIn = false;
let services = {};
const listeners = [];

/** Calls `fn(signedIn, services)` whenever sign-in or the services' details change. */
export function onChange(fn) {
  listeners.push(fn);
}

export function init() {
  const form = document.getElementById('admin-signin');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await signIn(document.getElementById('admin-token').value.trim());
  });
  document.getElementById('admin-signout').addEventListener('click', async () => {
    await api.logout().catch(() => {});
    show(false);
  });
}

/**
 * Called when the dashboard opens, or is opened again by a link: a sign-in link's `token` is
 * put in the form for the admin to send with one press, never sent on its own (a link on any
 * page could otherwise make this browser try tokens), then learns what may be done.
 */
export async function enter(token) {
  if (token) offer(token, 'admin-token', 'admin-signin-button');
  await loadServices();
  await api.audit().then((entries) => { show(true); render(entries); }).catch(() => show(false));
}

/** Learns the services' controls again (one attached after start) and redraws what depends on them. */
export async function refreshServices() {
  await loadServices();
  show(signedIn);
}

async function loadServices() {
  try {
    services = Object.fromEntries((await api.services()).map((s) => [s.name, s]));
  } catch {
    services = {};
  }
}

/** Puts a link's token in a sign-in form and moves focus to its button. */
export function offer(token, input, button) {
  document.getElementById(input).value = token;
  document.getElementById(button).focus();
}

async function signIn(token) {
  try {
    await api.login(token);
    show(true);
    render(await api.audit());
    document.getElementById('admin-token').value = '';
  } catch (error) {
    setText('admin-state', error.code === 'too_many_attempts'
      ? `Not signed in: ${error.message}.`
      : 'That token was not accepted.');
  }
}

function show(admin) {
  signedIn = admin;
  document.getElementById('admin-signin').classList.toggle('signed-in', admin);
  document.getElementById('admin-signout').hidden = !admin;
  setText('admin-state', admin
    ? 'Signed in as admin: you can start, stop and restart services.'
    : 'Signed out: the lights are live, the buttons need the admin token.');
  if (!admin) render(null);
  for (const name of Object.keys(services)) updateButtons(name);
  for (const fn of listeners) fn(signedIn, services);
}

/** The buttons for one service's panel. */
export function buttons(name) {
  return h('div', { class: 'controls', id: `controls-${name}` }, ACTIONS.map((action) => h('button', {
    type: 'button',
    class: `button ${action === 'stop' ? 'ghost' : 'primary'} small`,
    dataset: { testid: `${action}-${name}` },
    onclick: () => act(name, action),
  }, action.charAt(0).toUpperCase() + action.slice(1))));
}

function updateButtons(name) {
  const reason = services[name]?.control === 'none'
    ? `No control: ${services[name].control_disabled_because ?? 'no control backend'}`
    : signedIn ? '' : 'Sign in with the admin token to control services';
  for (const button of document.querySelectorAll(`#controls-${name} button`)) {
    button.disabled = Boolean(reason);
    button.title = reason;
  }
}

async function act(name, action) {
  try {
    await api.control(name, action);
    toast(`${action} ${name}: done`);
  } catch (error) {
    toast(`${action} ${name}: ${error.message}`, 'error');
  }
  render(await api.audit().catch(() => null));
}

function render(entries) {
  document.getElementById('audit-empty').hidden = Boolean(entries?.length);
  setText('audit-empty', entries ? 'No service started or stopped and no sign-in yet.' : 'Sign in to see who started or stopped what.');
  const when = (at) => new Date(at).toLocaleTimeString();
  document.getElementById('audit-log').replaceChildren(...(entries ?? []).slice(0, 12).map((e) =>
    h('li', { class: 'feed-row' },
      h('span', { class: 'muted' }, when(e.at)),
      h('span', { class: 'order-id' }, e.kind === 'sign_in' ? `sign-in (${e.via})` : `${e.action} ${e.service}`),
      h('span', {}, e.result),
      h('span', { class: 'muted' }, e.instance ? `${e.who} on ${e.instance}` : e.who))));
}
