// The service dashboard: one panel per backing service, showing what its status probe reports.

import { api } from './api.js';
import { h, setText } from './dom.js';

const REFRESH_MS = 2000;

/** The store's services, in the words the panels use. */
const SERVICES = [
  {
    probe: 'orders', key: 'orders', title: 'Database', tech: 'PostgreSQL', role: 'Orders, order items and the outbox',
    details: (b) => [['Orders', b.count], ['Pending', b.pending], ['Outbox backlog', b.outbox_backlog]],
  },
  {
    probe: 'redis', key: 'redis', title: 'Cache', tech: 'Redis', role: 'Carts and the catalog cache',
    details: (b) => [['Latency', b.latency_ms === undefined ? undefined : `${Number(b.latency_ms).toFixed(2)} ms`]],
  },
  {
    probe: 'rabbit', key: 'rabbitmq', title: 'Queue', tech: 'RabbitMQ', role: 'Order events for the order processor',
    details: (b) => [['Queue', b.queue], ['Messages', b.messages], ['Consumers', b.consumers], ['Dead-lettered', b.dead_lettered]],
  },
];

const HEALTH = {
  OK: { led: 'up', label: 'Up' },
  EMBEDDED: { led: 'embedded', label: 'Embedded' },
  DOWN: { led: 'down', label: 'Down' },
};

let timer = null;

export function init() {
  document.getElementById('services').replaceChildren(...SERVICES.map(panel));
}

export function enter() {
  refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

export function leave() {
  clearInterval(timer);
  timer = null;
}

function panel(service) {
  return h('article', { class: 'service', id: `service-${service.probe}`, 'aria-labelledby': `service-${service.probe}-title` },
    h('header', { class: 'service-head' },
      h('span', { class: 'led unknown', 'aria-hidden': 'true' }),
      h('div', {},
        h('h2', { id: `service-${service.probe}-title` }, service.title),
        h('p', { class: 'muted' }, service.role)),
      h('span', { class: 'kind' }, service.tech)),
    h('p', { class: 'health', dataset: { testid: `health-${service.probe}` } }, 'Checking…'),
    h('dl', { class: 'service-details' }));
}

async function refresh() {
  await Promise.all(SERVICES.map(async (service) => {
    let answer;
    try {
      answer = await api.status(service.probe);
    } catch {
      answer = { ok: false, body: { [service.key]: 'DOWN', error: 'the store itself is not answering' } };
    }
    show(service, answer);
  }));
  setText('dashboard-updated', `Updated ${new Date().toLocaleTimeString()}`);
}

function show(service, { body }) {
  const root = document.getElementById(`service-${service.probe}`);
  const word = body[service.key] ?? 'DOWN';
  const health = HEALTH[word] ?? HEALTH.DOWN;
  root.querySelector('.led').className = `led ${health.led}`;
  const text = word === 'EMBEDDED'
    ? `${health.label}: runs inside carstore (no ${service.tech} configured)`
    : word === 'OK' ? `${health.label}: ${service.tech} is answering` : `${health.label}: ${body.error ?? 'not answering'}`;
  root.querySelector('.health').textContent = text;
  root.dataset.health = health.led;
  const rows = service.details(body).filter(([, v]) => v !== undefined && v !== null);
  root.querySelector('.service-details').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
