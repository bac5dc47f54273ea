// The Faults panel: the drills set on purpose (admin only), a form to set one, a Clear per fault
// and Clear all. Each service with an active fault gets a "fault injected" badge on its card, so
// a drill is never read as a real outage. Asked again after each change, at once on each `fault`
// event of the feed (set by other admins, the CLI, or ended on its own), and every two seconds
// while the dashboard is open, in case the feed missed one.

import { api } from './api.js';
import { every, h, setText, toast } from './dom.js';

/** What each target takes, as the API checks it: the form offers nothing it would refuse. */
const KINDS = {
  database: ['latency', 'errors', 'outage'],
  cache: ['latency', 'errors', 'outage'],
  queue: ['latency', 'errors', 'outage'],
  processor: ['slow', 'poison'],
  store: ['errors'],
};
export const UNIT = { latency: 'ms', slow: 'ms', errors: '%', poison: 'messages' };
/** The card each target's badge goes on: the order processor runs inside the store. */
const CARD = { database: 'postgres', cache: 'redis', queue: 'rabbit', processor: 'carstore', store: 'carstore' };
const EVERY_MS = 2000;
let admin = false;

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

/** Polls while the dashboard shows; `stop` when it is left. */
export const { start, stop } = every(EVERY_MS, refresh);

/** Signed out, the form is disabled and the list is not asked for (it is admin only). */
export function setAdmin(signedIn) {
  admin = signedIn;
  for (const el of document.querySelectorAll('#fault-form button, #fault-form input, #fault-form select, #faults-clear-all')) {
    el.disabled = !signedIn;
  }
  if (signedIn) fitValue();
  setText('faults-note', signedIn ? '' : 'Sign in with the admin token to see and set faults.');
  if (signedIn) refresh();
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
    toast(error.message, 'error');
  }
  await refresh();
}

/** Asks for the faults now: after a change here, on a `fault` event, and every two seconds. */
export async function refresh() {
  if (!admin) return;
  try {
    render(await api.faults());
  } catch {
    // Signed out elsewhere or the store not answering: its own light says which.
  }
}

function render(faults) {
  const list = document.getElementById('faults-list');
  list.replaceChildren(...faults.map(row));
  document.getElementById('faults-empty').hidden = faults.length > 0;
  document.getElementById('faults-clear-all').hidden = faults.length === 0;
  badges(faults);
}

function row(fault) {
  const value = fault.value == null ? '' : `${fault.value} ${UNIT[fault.kind] ?? ''}`;
  const jitter = fault.jitter_ms ? ` ± ${fault.jitter_ms} ms` : '';
  const route = fault.route ? ` on ${fault.route}` : '';
  return h('li', { class: 'feed-row fault-row', dataset: { testid: `fault-${fault.target}-${fault.kind}` } },
    h('span', { class: 'order-id' }, `${fault.target} ${fault.kind}`),
    h('span', {}, `${value}${jitter}${route}`.trim() || 'every call'),
    h('span', { class: 'muted' }, expiry(fault.expires_at)),
    h('button', {
      type: 'button',
      class: 'button ghost small',
      dataset: { testid: `clear-${fault.target}-${fault.kind}` },
      'aria-label': `Clear ${fault.target} ${fault.kind}`,
      onclick: () => change(() => api.clearFault(fault.target, fault.kind), `${fault.target} ${fault.kind}: cleared`),
    }, 'Clear'));
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
  const kinds = {};
  for (const f of faults) (kinds[CARD[f.target]] ??= []).push(f.target === 'store' || f.target === 'processor' ? `${f.target} ${f.kind}` : f.kind);
  for (const card of document.querySelectorAll('#services > .service[id^=service-]')) {
    const name = card.id.slice('service-'.length);
    const badge = card.querySelector('.fault-badge');
    card.classList.toggle('faulted', Boolean(kinds[name]));
    badge.hidden = !kinds[name];
    badge.textContent = kinds[name] ? `fault injected: ${kinds[name].join(', ')}` : '';
  }
}
