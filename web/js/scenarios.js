// The Scenarios page: guided drills, break → observe → fix. The store runs the scenario and
// checks what it shows; this page lists them, starts one (guided, or every step at once), shows
// each step's button while the run waits for it, ticks the checks as they pass, and ends with the
// summary. The run arrives as `scenario` events on the tab's one live feed (nothing polls); runs
// need the admin session, as faults do; the list is for everyone. Parts of the run that did not
// change are kept as they are, so a button with focus is never rebuilt under it.

import * as session from './admin-session.js';
import { api } from './api.js';
import { h, keyed, toast } from './dom.js';
import * as feed from './feed.js';

let scenarios = [];
let run = null;
/** Ends the `scenario` subscription: it is asked for only while this browser is the admin. */
let following = null;

export function init() {
  session.wireForm({ form: 'scenario-signin', input: 'scenario-token', error: 'scenario-signin-error' });
}

export async function enter(params, signal) {
  const token = params.get('token');
  // A link's token waits in the form for a press: never sent on its own.
  if (token) session.offer(token, 'scenario-token', 'scenario-signin-button');
  session.onChange(() => follow(signal), signal);
  follow(signal);
  const [list] = await Promise.all([api.scenarios({ signal }).catch(() => null), session.check(signal)]);
  if (signal.aborted) return;
  if (list) scenarios = list;
  render();
}

/** Follows the run on the feed while signed in as admin; signed out, only the list shows. */
function follow(signal) {
  const admin = session.isAdmin();
  if (admin && !following) {
    following = new AbortController();
    const until = AbortSignal.any([signal, following.signal]);
    feed.on('scenario', (now) => { run = now; render(); }, until);
    feed.on('refused', (why) => why.topic === 'scenario' && session.ended({ status: 401 }), until);
    signal.addEventListener('abort', () => { following = null; }, { once: true });
  } else if (!admin && following) {
    following.abort();
    following = null;
    run = null;
  }
  render();
}

function render() {
  document.getElementById('scenario-signin').hidden = session.isAdmin();
  renderList();
  renderRun();
}

function renderList() {
  const going = run?.status === 'running';
  const why = !session.isAdmin() ? 'Sign in with the admin token to run a scenario' : going ? 'A scenario is running' : '';
  keyed(document.getElementById('scenario-list'), scenarios, (s) => s.name, card, (li) => {
    for (const button of li.querySelectorAll('button')) {
      button.disabled = Boolean(why);
      button.title = why;
    }
  });
}

function card(s) {
  return h('li', { class: 'scenario-card', dataset: { testid: `scenario-${s.name}` } },
    h('h2', {}, s.title),
    h('p', {}, s.teaches),
    h('p', { class: 'muted' }, `${s.steps.length} steps · ${s.name}`),
    h('div', { class: 'scenario-actions' },
      h('button', { type: 'button', class: 'button primary small', dataset: { testid: `scenario-start-${s.name}` },
        onclick: () => start(s.name, false) }, 'Start'),
      h('button', { type: 'button', class: 'button ghost small', dataset: { testid: `scenario-auto-${s.name}` },
        onclick: () => start(s.name, true) }, 'Run every step')));
}

/**
 * Starts a run. The run itself is shown from the feed alone: an action's answer can reach the
 * page after a newer view the feed already brought (the store moves on within milliseconds), and
 * showing it would take the page back to a state the run has left.
 */
async function start(name, auto) {
  try {
    await api.startScenario(name, auto);
    document.getElementById('scenario-run').scrollIntoView({ behavior: 'smooth', block: 'start' });
  } catch (error) {
    session.ended(error);
    toast(error.message, 'error');
  }
}

async function act(call) {
  try {
    await call();
  } catch (error) {
    session.ended(error);
    toast(error.message, 'error');
  }
}

/** The run as parts, each kept while what it shows is unchanged (its key says what it shows). */
function renderRun() {
  const panel = document.getElementById('scenario-run');
  panel.hidden = !run;
  if (!run) return;
  // Which run this is, for whoever follows the page (a test waiting for the one it started).
  panel.dataset.run = `${run.scenario} ${run.started_at}`;
  const written = scenarios.find((s) => s.name === run.scenario);
  const going = run.status === 'running';
  const part = (key, shows, build) => ({ key: `${key}:${JSON.stringify(shows)}`, build });
  const parts = [
    part('head', [run.title, run.status], () => h('div', { class: 'scenario-head' },
      h('h2', {}, run.title),
      h('span', { class: `status ${run.status}`, role: 'status', dataset: { testid: 'scenario-status' } }, run.status))),
    written && part('teaches', written.teaches, () => h('p', { class: 'muted' }, written.teaches)),
    run.reason && !going && part('reason', run.reason, () => h('p', { class: 'form-error', role: 'alert' }, `Ended: ${run.reason}`)),
    part('steps', [run.steps, run.step, run.waiting_for_press, run.status], () => h('ol', { class: 'scenario-steps' },
      run.steps.map((step, i) => renderStep(step, i, written?.steps[i])))),
    written && part('fix', written.fix, () => h('p', { class: 'scenario-fix' }, h('strong', {}, 'The fix in real life: '), written.fix)),
    run.summary && part('summary', run.summary, () => renderSummary(run.summary)),
    going && part('abandon', run.started_at, () => h('button', { type: 'button', class: 'button ghost small',
      dataset: { testid: 'scenario-abandon' }, onclick: () => act(api.abandonScenario) }, 'Abandon')),
  ].filter(Boolean);
  keyed(panel, parts, (p) => p.key, (p) => p.build());
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
