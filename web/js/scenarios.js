// The Scenarios page: guided drills, break → observe → fix. The store runs the scenario and
// checks what it shows; this page lists them, starts one (guided, or every step at once),
// shows each step's button while the run waits for it, ticks the checks as they pass, and ends
// with the summary. Runs need the admin token, as faults do; the list is for everyone.

import { offer } from './admin.js';
import { api } from './api.js';
import { every, h, toast } from './dom.js';

let scenarios = [];
let admin = false;
let run = null;
let shown = '';
const poll = every(500, refresh);

export function init() {
  document.getElementById('scenario-signin').addEventListener('submit', async (e) => {
    e.preventDefault();
    await signIn(document.getElementById('scenario-token').value.trim());
  });
}

export async function enter(params) {
  const token = params.get('token');
  // A link's token waits in the form for a press: never sent on its own.
  if (token) offer(token, 'scenario-token', 'scenario-signin-button');
  poll.start();
}

export function leave() {
  poll.stop();
}

async function signIn(token) {
  const error = document.getElementById('scenario-signin-error');
  try {
    await api.login(token);
    error.textContent = '';
    document.getElementById('scenario-token').value = '';
    await refresh();
  } catch (e) {
    error.textContent = e.message;
  }
}

/**
 * Reads the run (which also tells whether this browser is the admin) and redraws on change.
 * The list is asked for until it comes; an answer other than 401 (a 503, a lost connection)
 * leaves what is shown as it was, to be read again next time.
 */
async function refresh() {
  if (scenarios.length === 0) scenarios = await api.scenarios().catch(() => []);
  try {
    run = await api.scenarioRun();
    admin = true;
  } catch (error) {
    if (error.status === 401) [run, admin] = [null, false];
    else if (error.status === 404) [run, admin] = [null, true];
    else return;
  }
  const now = JSON.stringify([admin, run, scenarios.length]);
  if (now === shown) return;
  shown = now;
  document.getElementById('scenario-signin').hidden = admin;
  renderList();
  renderRun();
}

function renderList() {
  const going = run?.status === 'running';
  const why = !admin ? 'Sign in with the admin token to run a scenario' : going ? 'A scenario is running' : '';
  const cards = scenarios.map((s) => h('li', { class: 'scenario-card', dataset: { testid: `scenario-${s.name}` } },
    h('h2', {}, s.title),
    h('p', {}, s.teaches),
    h('p', { class: 'muted' }, `${s.steps.length} steps · ${s.name}`),
    h('div', { class: 'scenario-actions' },
      h('button', { type: 'button', class: 'button primary small', disabled: Boolean(why), title: why,
        dataset: { testid: `scenario-start-${s.name}` }, onclick: () => start(s.name, false) }, 'Start'),
      h('button', { type: 'button', class: 'button ghost small', disabled: Boolean(why), title: why,
        onclick: () => start(s.name, true) }, 'Run every step'))));
  document.getElementById('scenario-list').replaceChildren(...cards);
}

async function start(name, auto) {
  try {
    run = await api.startScenario(name, auto);
    await refresh();
    document.getElementById('scenario-run').scrollIntoView({ behavior: 'smooth', block: 'start' });
  } catch (error) {
    toast(error.message, 'error');
  }
}

async function act(call) {
  try {
    await call();
  } catch (error) {
    toast(error.message, 'error');
  }
  await refresh();
}

function renderRun() {
  const panel = document.getElementById('scenario-run');
  panel.hidden = !run;
  if (!run) return;
  // Which run this is, for whoever follows the page (a test waiting for the one it started).
  panel.dataset.run = `${run.scenario} ${run.started_at}`;
  const written = scenarios.find((s) => s.name === run.scenario);
  const going = run.status === 'running';
  // replaceChildren would write a null as the text "null": the parts not shown are left out.
  const parts = [
    h('div', { class: 'scenario-head' },
      h('h2', {}, run.title),
      h('span', { class: `status ${run.status}`, role: 'status', dataset: { testid: 'scenario-status' } }, run.status)),
    written ? h('p', { class: 'muted' }, written.teaches) : null,
    run.reason && !going ? h('p', { class: 'form-error', role: 'alert' }, `Ended: ${run.reason}`) : null,
    h('ol', { class: 'scenario-steps' }, run.steps.map((step, i) => renderStep(step, i, written?.steps[i]))),
    written ? h('p', { class: 'scenario-fix' }, h('strong', {}, 'The fix in real life: '), written.fix) : null,
    run.summary ? renderSummary(run.summary) : null,
    going ? h('button', { type: 'button', class: 'button ghost small', dataset: { testid: 'scenario-abandon' },
      onclick: () => act(api.abandonScenario) }, 'Abandon') : null,
  ];
  panel.replaceChildren(...parts.filter(Boolean));
}

function renderStep(step, i, written) {
  const waiting = run.status === 'running' && run.waiting_for_press && run.step === i;
  const state = step.performed_at ? (step.checks.every((c) => c.passed) ? 'done' : 'watching') : waiting ? 'next' : 'later';
  return h('li', { class: 'scenario-step', dataset: { state, testid: `scenario-step-${i}` } },
    h('h3', {}, step.title),
    written ? h('p', { class: 'muted' }, `Watch: ${written.watch}`) : null,
    waiting ? h('button', { type: 'button', class: 'button primary small', dataset: { testid: 'scenario-press' },
      onclick: () => act(api.pressScenarioStep) }, step.button) : null,
    step.done ? h('p', { class: 'scenario-done' }, `Done: ${step.done}`) : null,
    h('ul', { class: 'scenario-checks' }, step.checks.map((c) => h('li', { dataset: { passed: String(c.passed) } },
      h('span', { class: 'tick', 'aria-hidden': 'true' }, c.passed ? '✓' : '…'),
      h('span', {}, c.says, h('span', { class: 'visually-hidden' }, c.passed ? ' (seen)' : ' (not yet)')),
      c.passed ? h('span', { class: 'muted' }, ` ${c.seen}, after ${c.after_ms} ms`) : null))));
}

function renderSummary(s) {
  const ms = (v) => (v === null ? '–' : `${(v / 1000).toFixed(2)} s`);
  const rows = [
    ['Time to detect', ms(s.detect_ms)],
    ['Time to recover', ms(s.recover_ms)],
    ['Requests refused', s.requests_refused],
    ['Orders placed by the drill', s.orders_placed],
    ['Orders lost', s.orders_lost],
    ['Duplicates suppressed', s.duplicates_suppressed],
  ];
  return h('section', { class: 'scenario-summary', dataset: { testid: 'scenario-summary' }, 'aria-label': 'Summary' },
    h('h3', {}, 'Summary'),
    h('dl', {}, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, String(value))])));
}
