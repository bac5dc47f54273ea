// The service dashboard: one card per backing service and one for carstore itself (cards.js),
// with health, breakers, orders, load and faults arriving on the tab's one live feed (nothing
// polls for them); each health change also refreshes that card's figures from its status probe,
// and the queue table. Everything it starts ends with the page's cancel signal.

import * as admin from './admin.js';
import { api } from './api.js';
import * as cards from './cards.js';
import { h, setText } from './dom.js';
import * as faults from './faults.js';
import * as feed from './feed.js';
import * as load from './load.js';
import * as replicas from './replicas.js';
import { BACKING, byName } from './services.js';
import * as shoppers from './shoppers.js';

const FEED_LENGTH = 12;

export function init() {
  admin.init();
  faults.init();
  load.init();
}

/** `params`: the link's parameters; `token` is offered to the sign-in form. */
export function enter(params, signal) {
  feed.on('health', (e) => showHealth(e, signal), signal);
  feed.on('breaker', (e) => cards.patch(e.service, { breaker: e.state }), signal);
  feed.on('order', (e) => showOrder(e, signal), signal);
  feed.on('load', load.show, signal);
  // A fault set, cleared or ended on its own: marked on the chart, and the panel asked at once.
  feed.on('fault', (e) => {
    load.mark(e);
    faults.refresh();
  }, signal);
  feed.on('control', () => admin.refreshServices(), signal);
  feed.on('status', ({ live }) => {
    setText('dashboard-updated', live ? 'Live: updates arrive as they happen.' : 'Reconnecting to the live feed…');
    cards.patch('carstore', { health: live ? 'up' : 'down', since: new Date().toISOString() });
  }, signal);
  admin.enter(params.get('token'), signal);
  for (const service of BACKING) refreshFigures(service, signal);
  refreshQueues(signal);
  replicas.enter(signal);
  faults.enter(signal);
  shoppers.enter(signal);
  load.enter(signal);
}

function showHealth(event, signal) {
  const service = byName(event.service);
  if (!service || service.itself) return;
  cards.patch(service.name, { health: event.health, since: event.since, latency: event.latency_ms ?? null });
  refreshFigures(service, signal);
  if (service.name === 'rabbit') refreshQueues(signal);
}

/** The queue table: the store's queues, every queue of the vhost when configured, the outbox. */
async function refreshQueues(signal) {
  // Both answers first, then one replace: two refreshes that overlap (the page opening as the
  // queue's light changes) must not each add their outbox row.
  const [rows, { body: orders }] = await Promise.all([
    api.queues({ signal }).catch(() => null),
    api.status('orders', { signal }).catch(() => ({ body: {} })),
  ]);
  if (signal.aborted) return;
  const cell = (v) => h('td', {}, v);
  const lines = rows
    ? rows.map((q) => h('tr', {}, cell(q.name), cell(q.messages), cell(q.consumers)))
    : [h('tr', {}, h('td', { colspan: 3 }, 'The queue is not answering: orders wait in the outbox.'))];
  if (orders.outbox_backlog != null) {
    lines.push(h('tr', { class: 'outbox' }, cell('outbox (in the order store)'), cell(orders.outbox_backlog), cell('relay')));
  }
  document.getElementById('queue-rows').replaceChildren(...lines);
}

let queueTimer = null;
/** At most one queue refresh a second, however many orders arrive. */
function refreshQueuesSoon(signal) {
  queueTimer ??= setTimeout(() => {
    queueTimer = null;
    if (!signal.aborted) refreshQueues(signal);
  }, 1000);
}

async function refreshFigures(service, signal) {
  try {
    const { body } = await api.status(service.probe, { signal });
    cards.patch(service.name, { figures: service.figures(body) });
  } catch {
    // Not answering, or the page was left: the card's light says the first.
  }
}

function showOrder(event, signal) {
  const list = document.getElementById('order-feed');
  const time = new Date().toLocaleTimeString();
  list.prepend(h('li', { class: 'feed-row' },
    h('span', { class: 'muted' }, time),
    h('span', { class: 'order-id' }, `Order #${event.order_id}`),
    h('span', { class: `status ${event.status}` }, event.status),
    event.instance ? h('span', { class: 'muted' }, `on ${event.instance}`) : null));
  while (list.children.length > FEED_LENGTH) list.lastElementChild.remove();
  document.getElementById('order-feed-empty').hidden = true;
  // An order moves the database's counts and the queue's.
  refreshFigures(byName('postgres'), signal);
  refreshFigures(byName('rabbit'), signal);
  refreshQueuesSoon(signal);
}
