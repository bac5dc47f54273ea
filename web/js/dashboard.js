// The service dashboard: one panel per backing service and one for carstore itself. Health
// arrives live over server-sent events (nothing polls); each event also refreshes that panel's
// figures from its status probe, and the queue table.

import * as admin from './admin.js';
import { api } from './api.js';
import { h, setText } from './dom.js';
import * as faults from './faults.js';
import * as load from './load.js';
import * as logs from './logs.js';
import * as replicas from './replicas.js';
import * as shoppers from './shoppers.js';

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
  {
    name: 'carstore', title: 'Store', tech: 'carstore', role: 'The web store, checkout and the order worker',
    details: () => [], itself: true,
  },
];
const BACKING = SERVICES.filter((s) => !s.itself);
/** A panel's service by its name: the list's order is layout, not meaning. */
const byName = (name) => SERVICES.find((s) => s.name === name);
const CONTROL_CHIP = { docker: 'Docker', command: 'Command', none: 'No control' };

const LABEL = { up: 'Up', starting: 'Starting', degraded: 'Degraded', down: 'Down', embedded: 'Embedded' };
const FEED_LENGTH = 12;
let source = null;

export function init() {
  document.getElementById('services').replaceChildren(...SERVICES.map(panel));
  // The same lights again beside the load chart, so both fit one screen during a demo.
  document.getElementById('load-lights').replaceChildren(...SERVICES.map((s) => h('span', { class: 'load-light', id: `load-light-${s.name}` },
    h('span', { class: 'led unknown', 'aria-hidden': 'true' }), h('span', { class: 'load-light-name' }, s.title))));
  admin.init();
  faults.init();
  admin.onChange(showAdmin);
  load.init();
}

/** `params`: the link's parameters; `token` signs in (the sign-in address carstore prints). */
export function enter(params) {
  admin.enter(params.get('token'));
  for (const service of BACKING) refreshFigures(service);
  refreshQueues();
  replicas.start();
  faults.start();
  shoppers.start();
  load.start();
  source = api.events();
  source.addEventListener('health', (e) => showHealth(JSON.parse(e.data)));
  source.addEventListener('order', (e) => showOrder(JSON.parse(e.data)));
  source.addEventListener('breaker', (e) => showBreaker(JSON.parse(e.data)));
  source.addEventListener('load', (e) => load.show(JSON.parse(e.data)));
  // A fault set, cleared or ended on its own: marked on the chart, and the panel asked at once.
  source.addEventListener('fault', (e) => {
    load.mark(JSON.parse(e.data));
    faults.refresh();
  });
  // A control attached after start (Docker came up later): its buttons and log window work now.
  source.addEventListener('control', () => admin.refreshServices());
  source.addEventListener('open', () => {
    setText('dashboard-updated', 'Live: updates arrive as they happen.');
    showHealth({ service: 'carstore', health: 'up', since: new Date().toISOString() });
  });
  source.addEventListener('error', () => {
    setText('dashboard-updated', 'Reconnecting to the live feed…');
    showHealth({ service: 'carstore', health: 'down', since: new Date().toISOString() });
  });
}

export function leave() {
  source?.close();
  source = null;
  replicas.stop();
  faults.stop();
  shoppers.stop();
  load.stop();
  logs.closeAll();
}

/** Signed in: open the log windows (where there is a log) and name each control backend. */
function showAdmin(signedIn, services) {
  load.setAdmin(signedIn);
  faults.setAdmin(signedIn);
  for (const service of SERVICES) {
    const info = services[service.name];
    const chip = document.querySelector(`#service-${service.name} .control-chip`);
    if (chip && info) chip.textContent = info.health === 'embedded' ? 'Embedded' : CONTROL_CHIP[info.control] ?? info.control;
    if (!signedIn) continue;
    logs.open(service.name, service.itself || Boolean(info?.logs));
  }
  if (!signedIn) logs.closeAll();
}

function panel(service) {
  return h('article', { class: 'service', id: `service-${service.name}`, 'aria-labelledby': `service-${service.name}-title` },
    h('header', { class: 'service-head' },
      h('span', { class: 'led unknown', 'aria-hidden': 'true' }),
      h('div', {},
        h('h2', { id: `service-${service.name}-title` }, service.title),
        h('p', { class: 'muted' }, service.role)),
      h('span', { class: 'chips-col' },
        h('span', { class: 'kind' }, service.tech),
        service.itself ? null : h('span', { class: 'kind control-chip' }))),
    h('p', { class: 'health', dataset: { testid: `health-${service.probe ?? service.name}` } }, 'Checking…'),
    // Shown by the Faults panel while a drill is set on this service.
    h('p', { class: 'fault-badge', hidden: true, dataset: { testid: `fault-badge-${service.name}` } }),
    h('p', { class: 'since muted' }),
    service.itself ? null : h('p', { class: 'breaker', dataset: { testid: `breaker-${service.name}`, state: 'closed' } }),
    service.itself ? h('p', { class: 'muted small-note' }, 'Serves this page: it cannot be stopped from here.') : admin.buttons(service.name),
    h('dl', { class: 'service-details' }),
    logs.logWindow(service.name));
}

function showHealth(event) {
  const service = byName(event.service);
  if (!service) return;
  const root = document.getElementById(`service-${service.name}`);
  root.querySelector('.led').className = `led ${event.health}`;
  const twin = document.getElementById(`load-light-${service.name}`);
  twin.querySelector('.led').className = `led ${event.health}`;
  twin.dataset.health = event.health;
  twin.title = `${service.title}: ${LABEL[event.health]}`;
  root.dataset.health = event.health;
  const text = {
    embedded: `Embedded: runs inside carstore (no ${service.tech} configured)`,
    up: `Up: ${service.tech} is answering`,
    degraded: `Degraded: ${service.tech} answers slowly`,
    starting: `Starting: waiting for ${service.tech} to answer`,
    down: `Down: ${service.tech} is not answering`,
  }[event.health] ?? LABEL[event.health];
  if (service.itself) {
    root.querySelector('.health').textContent = event.health === 'up'
      ? 'Up: serving this page and the live feed' : 'Down: the live feed is cut; reconnecting';
    root.querySelector('.since').textContent = `${LABEL[event.health]} since ${new Date(event.since).toLocaleTimeString()}`;
    return;
  }
  root.querySelector('.health').textContent = text;
  const since = new Date(event.since).toLocaleTimeString();
  const latency = event.latency_ms == null ? '' : ` · probe ${Number(event.latency_ms).toFixed(1)} ms`;
  root.querySelector('.since').textContent = `${LABEL[event.health]} since ${since}${latency}`;
  refreshFigures(service);
  if (service.name === 'rabbit') refreshQueues();
}

/** The breaker: open means requests needing the service are refused at once (503), not left waiting. */
function showBreaker(event) {
  const line = document.querySelector(`#service-${event.service} .breaker`);
  if (!line) return;
  line.dataset.state = event.state;
  line.textContent = {
    closed: 'Breaker closed: requests go through',
    open: 'Breaker open: requests that need it are refused at once (503)',
    half_open: 'Breaker half-open: one trial request is testing it',
  }[event.state] ?? `Breaker ${event.state}`;
}

/** The queue table: the store's queues, every queue of the vhost when configured, the outbox. */
async function refreshQueues() {
  // Both answers first, then one replace: two refreshes that overlap (the page opening as the
  // queue's light changes) must not each add their outbox row.
  const [rows, { body: orders }] = await Promise.all([
    api.queues().catch(() => null),
    api.status('orders').catch(() => ({ body: {} })),
  ]);
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
function refreshQueuesSoon() {
  queueTimer ??= setTimeout(() => { queueTimer = null; refreshQueues(); }, 1000);
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
    h('span', { class: `status ${event.status}` }, event.status),
    event.instance ? h('span', { class: 'muted' }, `on ${event.instance}`) : null));
  while (feed.children.length > FEED_LENGTH) feed.lastElementChild.remove();
  document.getElementById('order-feed-empty').hidden = true;
  // An order moves the database's counts and the queue's.
  refreshFigures(byName('postgres'));
  refreshFigures(byName('rabbit'));
  refreshQueuesSoon();
}
