// The dashboard's service cards as data: one state per service, keyed by the store's service
// name, and one function that renders a card from it. Panels report what they learn with
// `patch(name, changes)` (the live feed: health and breaker; the Faults panel: its drills; the
// admin side: controls; the replica roster: the store's own figures) and never touch a card's
// elements, so a card is built once and only its words and classes change.

import { h } from './dom.js';
import * as logs from './logs.js';
import { HEALTH_LABEL, SERVICES, byName } from './services.js';

const ACTIONS = ['start', 'stop', 'restart'];
const state = new Map(SERVICES.map((s) => [s.name, {
  health: 'unknown', since: null, latency: null, breaker: 'closed', faults: [], chip: '', blocked: 'Checking…', figures: [],
}]));
const cards = new Map();
let act = () => {};

/** Builds every card once; `onAction(name, action)` runs a Start, Stop or Restart press. */
export function init(onAction) {
  act = onAction;
  // The same lights again beside the load chart, so both fit one screen during a demo.
  document.getElementById('load-lights').replaceChildren(...SERVICES.map((s) => h('span', { class: 'load-light', id: `load-light-${s.name}` },
    h('span', { class: 'led unknown', 'aria-hidden': 'true' }), h('span', { class: 'load-light-name' }, s.title),
    h('span', { class: 'visually-hidden light-state' }, ': checking'))));
  for (const service of SERVICES) cards.set(service.name, build(service));
  document.getElementById('services').replaceChildren(...[...cards.values()].map((c) => c.root),
    h('div', { class: 'replica-panels', id: 'replica-panels' }));
}

/** Merges `changes` into a service's state and renders its card. */
export function patch(name, changes) {
  const now = state.get(name);
  if (!now) return;
  Object.assign(now, changes);
  render(byName(name), now, cards.get(name));
}

function build(service) {
  const el = {};
  const name = service.name;
  el.led = h('span', { class: 'led unknown', 'aria-hidden': 'true' });
  el.title = h('h2', { id: `service-${name}-title` }, service.title);
  el.chip = service.itself ? null : h('span', { class: 'kind control-chip' });
  el.health = h('p', { class: 'health', dataset: { testid: `health-${service.probe ?? name}` } }, 'Checking…');
  el.badge = h('p', { class: 'fault-badge', hidden: true, dataset: { testid: `fault-badge-${name}` } });
  el.since = h('p', { class: 'since muted' });
  el.breaker = service.itself ? null : h('p', { class: 'breaker', dataset: { testid: `breaker-${name}`, state: 'closed' } });
  el.buttons = service.itself ? [] : ACTIONS.map((action) => h('button', {
    type: 'button', class: `button ${action === 'stop' ? 'ghost' : 'primary'} small`,
    dataset: { testid: `${action}-${name}` }, onclick: () => act(name, action), disabled: true,
  }, action.charAt(0).toUpperCase() + action.slice(1)));
  el.details = h('dl', { class: 'service-details' });
  el.root = h('article', { class: 'service', id: `service-${name}`, 'aria-labelledby': `service-${name}-title` },
    h('header', { class: 'service-head' }, el.led, h('div', {}, el.title, h('p', { class: 'muted' }, service.role)),
      h('span', { class: 'chips-col' }, h('span', { class: 'kind' }, service.tech), el.chip)),
    el.health, el.badge, el.since, el.breaker,
    service.itself
      ? h('p', { class: 'muted small-note' }, 'Serves this page: it cannot be stopped from here.')
      : h('div', { class: 'controls', id: `controls-${name}` }, el.buttons),
    el.details, logs.logWindow(name));
  el.twin = document.getElementById(`load-light-${name}`);
  return el;
}

function healthText(service, s) {
  if (service.itself) {
    return s.health === 'up' ? 'Up: serving this page and the live feed' : 'Down: the live feed is cut; reconnecting';
  }
  return {
    embedded: `Embedded: runs inside carstore (no ${service.tech} configured)`,
    up: `Up: ${service.tech} is answering`,
    degraded: `Degraded: ${service.tech} answers slowly`,
    starting: `Starting: waiting for ${service.tech} to answer`,
    down: `Down: ${service.tech} is not answering`,
  }[s.health] ?? 'Checking…';
}

const BREAKER = {
  closed: 'Breaker closed: requests go through',
  open: 'Breaker open: requests that need it are refused at once (503)',
  half_open: 'Breaker half-open: one trial request is testing it',
};

function render(service, s, el) {
  const label = HEALTH_LABEL[s.health] ?? 'Checking';
  el.root.dataset.health = s.health;
  el.led.setAttribute('class', `led ${s.health}`);
  text(el.title, s.instance ? `Store · ${s.instance}` : service.title);
  text(el.health, healthText(service, s));
  const latency = s.latency == null ? '' : ` · probe ${Number(s.latency).toFixed(1)} ms`;
  text(el.since, s.since ? `${label} since ${new Date(s.since).toLocaleTimeString()}${latency}` : '');
  el.root.classList.toggle('faulted', s.faults.length > 0);
  el.badge.hidden = s.faults.length === 0;
  text(el.badge, s.faults.length ? `fault injected: ${s.faults.join(', ')}` : '');
  if (el.breaker) {
    el.breaker.dataset.state = s.breaker;
    text(el.breaker, BREAKER[s.breaker] ?? `Breaker ${s.breaker}`);
  }
  if (el.chip) text(el.chip, s.chip);
  for (const button of el.buttons) {
    button.disabled = Boolean(s.blocked);
    button.title = s.blocked;
  }
  const rows = s.figures.filter(([, v]) => v !== undefined && v !== null);
  const shown = [...el.details.children].map((c) => c.textContent).join('\n');
  if (shown !== rows.flat().join('\n')) el.details.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  el.twin.querySelector('.led').setAttribute('class', `led ${s.health}`);
  el.twin.dataset.health = s.health;
  el.twin.title = `${service.title}: ${label}`;
  text(el.twin.querySelector('.light-state'), `: ${label}`);
}

function text(el, value) {
  if (el.textContent !== value) el.textContent = value;
}
