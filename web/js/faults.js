// The Faults panel: the drills set on purpose (admin only), a form to set one, a Clear per fault
// and Clear all. Each service with an active fault gets a "fault injected" badge on its card, so
// a drill is never read as a real outage. Asked again after each change, at once on each `fault`
// event of the feed (set by other admins, the CLI, or ended on its own), and every two seconds
// while the dashboard is open, in case the feed missed one. Rows are kept by fault, so a Clear
// button with focus stays put while the list is asked again.

import * as session from './admin-session.js';
import { api, cancelled } from './api.js';
import * as cards from './cards.js';
import { every, h, keyed, setText, toast } from './dom.js';
import { SERVICES, byTarget } from './services.js';

/** What each target takes, as the API checks it: the form offers nothing it would refuse. */
const KINDS = {
  database: ['latency', 'errors', 'outage'],
  cache: ['latency', 'errors', 'outage'],
  queue: ['latency', 'errors', 'outage'],
  processor: ['slow', 'poison'],
  store: ['errors'],
};
export const UNIT = { latency: 'ms', slow: 'ms', errors: '%', poison: 'messages' };
const EVERY_MS = 2000;
let admin = false;
/** The dashboard's cancel signal while it shows. */
let page = null;

export function init() {
  const target = document.getElementById('fault-target');
  target.replaceChildren(...Object.keys(KINDS).map((t) => h('option', { value: t }, t)));
  target.addEventListener('change', fitKinds);
  document.getElementById('fault-kind').addEventListener('change', fitValue);
  fitKinds();
  document.getElementById('fault-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  document.getElementById('faults-clear-all').addEventListener('click', () => change(() => api.clearFaults(), 'All faults cleared'));
  setAdmin(false);
}

/** The dashboard is shown: asks every two seconds and on each `fault` event until it is left. */
export function enter(signal) {
  page = signal;
  setAdmin(session.isAdmin());
  session.onChange(setAdmin, signal);
  every(EVERY_MS, refresh, signal);
}

/** Signed out, the form is disabled and the list is not asked for (it is admin only). */
function setAdmin(signedIn) {
  admin = signedIn;
  for (const el of document.querySelectorAll('#fault-form button, #fault-form input, #fault-form select, #faults-clear-all')) {
    el.disabled = !signedIn;
  }
  if (signedIn) fitValue();
  setText('faults-note', signedIn ? '' : 'Sign in with the admin token to see and set faults.');
  if (signedIn && page) refresh();
  else render([]);
}

function fitKinds() {
  const kinds = KINDS[document.getElementById('fault-target').value];
  document.getElementById('fault-kind').replaceChildren(...kinds.map((k) => h('option', { value: k }, k)));
  fitValue();
}

/** An outage takes no value; jitter is for latency only; a route for the store's errors only. */
function fitValue() {
  const target = document.getElementById('fault-target').value;
  const kind = document.getElementById('fault-kind').value;
  document.getElementById('fault-value').disabled = !admin || kind === 'outage';
  document.getElementById('fault-jitter').disabled = !admin || kind !== 'latency';
  document.getElementById('fault-route-field').hidden = target !== 'store';
  setText('fault-value-unit', UNIT[kind] ? `(${UNIT[kind]})` : '(none)');
}

async function submit() {
  const target = document.getElementById('fault-target').value;
  const kind = document.getElementById('fault-kind').value;
  const body = {};
  const number = (id) => {
    const el = document.getElementById(id);
    return el.disabled || el.value.trim() === '' ? undefined : Number(el.value);
  };
  body.value = number('fault-value');
  body.jitter_ms = number('fault-jitter');
  body.expires_in_secs = number('fault-expires');
  const route = document.getElementById('fault-route').value.trim();
  if (target === 'store' && route) body.route = route;
  setText('fault-error', '');
  try {
    await api.setFault(target, kind, body);
    toast(`${target} ${kind}: set`);
  } catch (error) {
    session.ended(error);
    // The server's own words, beside the form: it knows the ranges.
    setText('fault-error', error.message);
  }
  await refresh();
}

async function change(call, done) {
  try {
    await call();
    toast(done);
  } catch (error) {
    session.ended(error);
    toast(error.message, 'error');
  }
  await refresh();
}

/** Asks for the faults now: after a change here, on a `fault` event, and every two seconds. */
export async function refresh() {
  if (!admin || !page || page.aborted) return;
  try {
    render(await api.faults({ signal: page }));
  } catch (error) {
    // Signed out elsewhere, or the store not answering: its own light says which.
    if (!cancelled(error)) session.ended(error);
  }
}

function render(faults) {
  const list = document.getElementById('faults-list');
  keyed(list, faults, (f) => `${f.target}-${f.kind}`, row, fill);
  document.getElementById('faults-empty').hidden = faults.length > 0;
  document.getElementById('faults-clear-all').hidden = faults.length === 0;
  badges(faults);
}

function row(fault) {
  return h('li', { class: 'feed-row fault-row', dataset: { testid: `fault-${fault.target}-${fault.kind}` } },
    h('span', { class: 'order-id' }, `${fault.target} ${fault.kind}`),
    h('span', { class: 'fault-value' }),
    h('span', { class: 'muted fault-expiry' }),
    h('button', {
      type: 'button',
      class: 'button ghost small',
      dataset: { testid: `clear-${fault.target}-${fault.kind}` },
      'aria-label': `Clear ${fault.target} ${fault.kind}`,
      onclick: () => change(() => api.clearFault(fault.target, fault.kind), `${fault.target} ${fault.kind}: cleared`),
    }, 'Clear'));
}

/** What changes in a row while it stays: the value as set, and the time left. */
function fill(li, fault) {
  const value = fault.value == null ? '' : `${fault.value} ${UNIT[fault.kind] ?? ''}`;
  const jitter = fault.jitter_ms ? ` ± ${fault.jitter_ms} ms` : '';
  const route = fault.route ? ` on ${fault.route}` : '';
  li.querySelector('.fault-value').textContent = `${value}${jitter}${route}`.trim() || 'every call';
  li.querySelector('.fault-expiry').textContent = expiry(fault.expires_at);
}

function expiry(at) {
  if (!at) return 'until cleared';
  const secs = Math.max(0, Math.round((new Date(at) - Date.now()) / 1000));
  // A countdown within the hour (the panel is asked again every two seconds); the clock time beyond.
  if (secs < 60) return `ends in ${secs} s`;
  if (secs < 3600) return `ends in ${Math.floor(secs / 60)} min ${String(secs % 60).padStart(2, '0')} s`;
  return `ends at ${new Date(at).toLocaleTimeString()}`;
}

/** One badge per affected card, naming the kinds, as the server's health detail does. */
function badges(faults) {
  const kinds = Object.fromEntries(SERVICES.map((service) => [service.name, []]));
  for (const f of faults) {
    const own = f.target === 'store' || f.target === 'processor';
    kinds[byTarget(f.target).name].push(own ? `${f.target} ${f.kind}` : f.kind);
  }
  for (const [name, list] of Object.entries(kinds)) cards.patch(name, { faults: list });
}
