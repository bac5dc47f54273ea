// The dashboard's admin side: its sign-in form (the one admin session, admin-session.js), the
// Start/Stop/Restart buttons (disabled, with the reason, when they cannot be used), the log
// windows an admin follows, and the audit log: control actions and admin sign-ins, failed ones
// included.

import * as session from './admin-session.js';
import { api, cancelled } from './api.js';
import * as cards from './cards.js';
import { h, setText, toast } from './dom.js';
import * as logs from './logs.js';
import { SERVICES } from './services.js';

const CONTROL_CHIP = { docker: 'Docker', command: 'Command', none: 'No control' };
/** What /api/services says of each service (its control, whether it has a log), by name. */
let services = {};
let page = null;

export function init() {
  session.wireForm({ form: 'admin-signin', input: 'admin-token', error: 'admin-signin-error' });
  document.getElementById('admin-signout').addEventListener('click', () => session.signOut());
  cards.init(act);
}

/** The dashboard is shown: learn the controls, then whether this browser is the admin. */
export async function enter(token, signal) {
  page = signal;
  if (token) session.offer(token, 'admin-token', 'admin-signin-button');
  session.onChange(() => show(signal), signal);
  await loadServices(signal);
  if (signal.aborted) return;
  show(signal);
  await session.check(signal);
}

/** A control attached after start (Docker came up later): its buttons and log window work now. */
export async function refreshServices() {
  if (!page || page.aborted) return;
  await loadServices(page);
  show(page);
}

async function loadServices(signal) {
  try {
    services = Object.fromEntries((await api.services({ signal })).map((s) => [s.name, s]));
  } catch {
    services = {};
  }
}

function show(signal) {
  if (signal.aborted) return;
  const admin = session.isAdmin();
  document.getElementById('admin-signin').classList.toggle('signed-in', admin);
  document.getElementById('admin-signout').hidden = !admin;
  setText('admin-state', admin
    ? 'Signed in as admin: you can start, stop and restart services.'
    : 'Signed out: the lights are live, the buttons need the admin token.');
  for (const service of SERVICES) {
    const info = services[service.name];
    const chip = !info ? '' : info.health === 'embedded' ? 'Embedded' : CONTROL_CHIP[info.control] ?? info.control;
    const blocked = info?.control === 'none'
      ? `No control: ${info.control_disabled_because ?? 'no control backend'}`
      : admin ? '' : 'Sign in with the admin token to control services';
    cards.patch(service.name, { chip, blocked });
    if (admin) logs.open(service.name, service.itself || Boolean(info?.logs), signal);
  }
  if (!admin) logs.closeAll();
  if (admin) refreshAudit(signal);
  else render(null);
}

async function act(name, action) {
  try {
    await api.control(name, action);
    toast(`${action} ${name}: done`);
  } catch (error) {
    session.ended(error);
    toast(`${action} ${name}: ${error.message}`, 'error');
  }
  if (page && !page.aborted) refreshAudit(page);
}

async function refreshAudit(signal) {
  try {
    render(await api.audit({ signal }));
  } catch (error) {
    if (!cancelled(error)) session.ended(error);
  }
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
