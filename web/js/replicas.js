// The Store panels: one per replica of this store (the processes sharing its database and
// Redis), each with its health, version and uptime. The roster comes from /api/replicas, asked
// every two seconds while the dashboard is open: replicas join and leave on their own, and an
// uptime is only true if it moves. The store's own card shows this replica; the others each
// get a panel, kept by name so a panel is only redrawn, never rebuilt, while its replica stays.

import { api } from './api.js';
import * as cards from './cards.js';
import { every, h, keyed, setText } from './dom.js';

const EVERY_MS = 2000;

/** Asks every two seconds until the dashboard is left. */
export function enter(signal) {
  every(EVERY_MS, refresh, signal);
}

async function refresh(signal) {
  let roster;
  try {
    roster = await api.replicas({ signal });
  } catch {
    return; // this replica is not answering: the Store panel's light already says so
  }
  const [self, ...others] = roster.replicas;
  if (!self) return;
  document.getElementById('service-carstore').dataset.instance = self.instance;
  cards.patch('carstore', { instance: self.instance, figures: [['Answered this page', self.instance], ...details(self)] });
  keyed(document.getElementById('replica-panels'), others, (r) => r.instance, () => h('article'), fill);
  setText('replicas-note', note(roster));
}

function details(replica) {
  return [['Version', replica.version], ['Up for', uptime(replica.uptime_secs)]];
}

/** Redraws a replica's panel when what it shows changed (the uptime moves it every time). */
function fill(article, replica) {
  const shows = JSON.stringify(replica);
  if (article.dataset.shows === shows) return;
  const drawn = panel(replica);
  article.dataset.shows = shows;
  article.className = drawn.className;
  Object.assign(article.dataset, drawn.dataset);
  article.replaceChildren(...drawn.childNodes);
}

function panel(replica) {
  const health = replica.draining ? 'draining' : replica.ready ? 'up' : 'down';
  const worker = replica.role === 'worker';
  const title = `${worker ? 'Order worker' : 'Store'} · ${replica.instance}`;
  const state = replica.draining
    ? 'Draining: stopping, finishing the requests it holds'
    : replica.ready
      ? (worker ? 'Ready: processing orders' : 'Ready: taking requests')
      : 'Not ready: its order database is not answering';
  return h('article', { class: 'service replica-panel', dataset: { health, testid: `replica-${replica.instance}` } },
    h('header', { class: 'service-head' },
      // Draining shows amber, as a service starting does: in transit, neither up nor down.
      h('span', { class: `led ${replica.draining ? 'starting' : health}`, 'aria-hidden': 'true' }),
      h('div', {},
        h('h2', {}, title),
        h('p', { class: 'muted' }, worker ? 'Outbox relay and order processor' : 'Another replica of this store')),
      h('span', { class: 'chips-col' }, h('span', { class: 'kind' }, 'carstore'))),
    h('p', { class: 'health' }, state),
    h('dl', { class: 'service-details' }, details(replica).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}

function note(roster) {
  if (roster.channel !== 'up') return roster.note;
  const serving = roster.replicas.filter((r) => r.role === 'serve').length;
  const workers = roster.replicas.length - serving;
  const who = `${serving} serving${workers ? `, ${workers} order worker${workers > 1 ? 's' : ''}` : ''}`;
  const n = roster.replicas.length;
  return `One store, ${n} process${n > 1 ? 'es' : ''} (${who}): orders and load runs on any of them show here.`;
}

function uptime(secs) {
  const two = (n) => String(n).padStart(2, '0');
  if (secs < 60) return `${secs} s`;
  if (secs < 3600) return `${Math.floor(secs / 60)} min ${two(secs % 60)} s`;
  return `${Math.floor(secs / 3600)} h ${two(Math.floor(secs / 60) % 60)} min`;
}
