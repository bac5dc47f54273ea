// The service dashboard: one panel per backing service. Health arrives live over server-sent
// events (nothing polls); each event also refreshes that panel's figures from its status probe.

import * as admin from './admin.js';
import { api } from './api.js';
import { h, setText } from './dom.js';

/** The store's services, in the words the panels use. */
const SERVICES = [
  {
    name: 'postgres', probe: 'orders', title: 'Database', tech: 'PostgreSQL', role: 'Orders, order items and the outbox',
    details: (b) => [['Orders', b.count], ['Pending', b.pending], ['Outbox backlog', b.outbox_backlog]],
  },
  {
    name: 'redis', probe: 'redis', title: 'Cache', tech: 'Redis', role: 'Carts and the catalog cache',
    details: () => [],
  },
  {
    name: 'rabbit', probe: 'rabbit', title: 'Queue', tech: 'RabbitMQ', role: 'Order events for the order processor',
    details: (b) => [['Queue', b.queue], ['Messages', b.messages], ['Consumers', b.consumers], ['Dead-lettered', b.dead_lettered]],
  },
];

const LABEL = { up: 'Up', starting: 'Starting', degraded: 'Degraded', down: 'Down', embedded: 'Embedded' };
const FEED_LENGTH = 12;
let source = null;

export function init() {
  document.getElementById('services').replaceChildren(...SERVICES.map(panel));
  admin.init();
}

export function enter() {
  admin.enter();
  for (const service of SERVICES) refreshFigures(service);
  source = new EventSource('/api/events');
  source.addEventListener('health', (e) => showHealth(JSON.parse(e.data)));
  source.addEventListener('order', (e) => showOrder(JSON.parse(e.data)));
  source.addEventListener('open', () => setText('dashboard-updated', 'Live: updates arrive as they happen.'));
  source.addEventListener('error', () => setText('dashboard-updated', 'Reconnecting to the live feed…'));
}

export function leave() {
  source?.close();
  source = null;
}

function panel(service) {
  return h('article', { class: 'service', id: `service-${service.name}`, 'aria-labelledby': `service-${service.name}-title` },
    h('header', { class: 'service-head' },
      h('span', { class: 'led unknown', 'aria-hidden': 'true' }),
      h('div', {},
        h('h2', { id: `service-${service.name}-title` }, service.title),
        h('p', { class: 'muted' }, service.role)),
      h('span', { class: 'kind' }, service.tech)),
    h('p', { class: 'health', dataset: { testid: `health-${service.probe}` } }, 'Checking…'),
    h('p', { class: 'since muted' }),
    admin.buttons(service.name),
    h('dl', { class: 'service-details' }));
}

function showHealth(event) {
  const service = SERVICES.find((s) => s.name === event.service);
  if (!service) return;
  const root = document.getElementById(`service-${service.name}`);
  root.querySelector('.led').className = `led ${event.health}`;
  root.dataset.health = event.health;
  const text = {
    embedded: `Embedded: runs inside carstore (no ${service.tech} configured)`,
    up: `Up: ${service.tech} is answering`,
    degraded: `Degraded: ${service.tech} answers slowly`,
    starting: `Starting: waiting for ${service.tech} to answer`,
    down: `Down: ${service.tech} is not answering`,
  }[event.health] ?? LABEL[event.health];
  root.querySelector('.health').textContent = text;
  const since = new Date(event.since).toLocaleTimeString();
  const latency = event.latency_ms == null ? '' : ` · probe ${Number(event.latency_ms).toFixed(1)} ms`;
  root.querySelector('.since').textContent = `${LABEL[event.health]} since ${since}${latency}`;
  refreshFigures(service);
}

async function refreshFigures(service) {
  let body = {};
  try {
    ({ body } = await api.status(service.probe));
  } catch {
    return;
  }
  const rows = service.details(body).filter(([, v]) => v !== undefined && v !== null);
  const list = document.querySelector(`#service-${service.name} .service-details`);
  list.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function showOrder(event) {
  const feed = document.getElementById('order-feed');
  const time = new Date().toLocaleTimeString();
  feed.prepend(h('li', { class: 'feed-row' },
    h('span', { class: 'muted' }, time),
    h('span', { class: 'order-id' }, `Order #${event.order_id}`),
    h('span', { class: `status ${event.status}` }, event.status)));
  while (feed.children.length > FEED_LENGTH) feed.lastElementChild.remove();
  document.getElementById('order-feed-empty').hidden = true;
  refreshFigures(SERVICES[0]);
  refreshFigures(SERVICES[2]);
}
