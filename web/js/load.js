// The dashboard's load panel: start and stop a load run (admin only) and watch its requests/s,
// errors/s and p95 latency on a live chart (chart.js). Figures arrive as `load` events on the
// tab's live feed, so the chart moves in step with the service lights.
//
// The chart is the last minute by the clock, not the last 60 figures: it moves left each second
// while the dashboard shows, run or no run, so a fault marked while nothing runs has its place,
// and a run's figures slide off the left edge a minute after it stops (a new run starts a new line).
// The figures line under the form changes each second and is not a live region; a run starting
// and stopping is announced once each.

import * as session from './admin-session.js';
import { api } from './api.js';
import * as chart from './chart.js';
import { every, setText, toast } from './dom.js';
import * as markers from './markers.js';

const WINDOW_MS = 60_000;
const HINT = 'Point at the chart, or focus it and press ← →, to read one second’s figures.';
/** The figures of the last minute, oldest first, each with `when` it arrived: what the chart draws. */
let samples = [];
let running = false;
/** The second being read (its `when`), or null. */
let cursor = null;

export function init() {
  document.getElementById('load-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      rate: Number(document.getElementById('load-rate').value),
      mix: document.getElementById('load-mix').value,
      duration_secs: Number(document.getElementById('load-duration').value),
    };
    try {
      await api.startLoad(body);
      toast('Load started');
    } catch (error) {
      session.ended(error);
      toast(`Load: ${error.message}`, 'error');
    }
  });
  document.getElementById('load-stop').addEventListener('click', async () => {
    await api.stopLoad().catch((error) => toast(`Load: ${error.message}`, 'error'));
  });
  wireReading(document.getElementById('load-chart'));
  updateButtons();
}

/** Moves the chart each second while the dashboard shows, and follows the admin session. */
export function enter(signal) {
  session.onChange(updateButtons, signal);
  updateButtons();
  every(1000, draw, signal);
}

/** A `fault` event from the feed: marked on the chart at once. */
export function mark(event) {
  markers.add(event);
  draw();
}

/** A `load` event from the feed. */
export function show(change) {
  if (change.running !== running) announce(change);
  running = change.running;
  updateButtons();
  if (change.progress) {
    const p = change.progress;
    samples.push({ ...p, when: Date.now() });
    const where = change.instance ? ` from ${change.instance}` : '';
    setText('load-figures', `Running ${change.plan}${where}: ${p.requests_per_sec.toFixed(0)} requests/s · p95 ${p.p95_ms.toFixed(1)} ms · ${p.errors_per_sec.toFixed(0)} errors/s · ${p.requests} requests so far`);
    draw();
  } else if (change.summary) {
    const s = change.summary;
    setText('load-figures', `Stopped. ${s.requests} requests in ${s.seconds.toFixed(0)} s: ${s.requests_per_sec.toFixed(0)}/s, p99 ${s.latency.p99_ms.toFixed(1)} ms, ${s.errors} errors.`);
  } else if (change.running) {
    // A new run, from any dashboard or replica: its line is not joined to the last run's tail.
    samples = [];
    setText('load-figures', `Starting ${change.plan}…`);
  }
}

function announce(change) {
  setText('load-announce', change.running ? `Load run started: ${change.plan ?? ''}` : 'Load run stopped.');
}

function updateButtons() {
  const signedIn = session.isAdmin();
  const start = document.getElementById('load-start');
  const stop = document.getElementById('load-stop');
  start.disabled = !signedIn || running;
  stop.disabled = !signedIn || !running;
  const why = signedIn ? '' : 'Sign in with the admin token to put load on the store';
  start.title = why || (running ? 'A load run is going' : '');
  stop.title = why;
}

function draw() {
  const from = Date.now() - WINDOW_MS;
  samples = samples.filter((p) => p.when >= from);
  if (cursor !== null && !samples.some((s) => s.when === cursor)) read(null);
  chart.draw(document.getElementById('load-chart'), samples, from, WINDOW_MS, cursor);
}

/** Shows one second's figures under the chart (null: the hint) and marks it on the chart. */
function read(sample) {
  cursor = sample?.when ?? null;
  setText('load-readout', sample ? chart.describe(sample) : HINT);
}

function wireReading(svg) {
  setText('load-readout', HINT);
  svg.addEventListener('pointermove', (e) => {
    read(chart.nearest(svg, e.clientX, samples, Date.now() - WINDOW_MS, WINDOW_MS));
    draw();
  });
  svg.addEventListener('pointerleave', () => { read(null); draw(); });
  svg.addEventListener('keydown', (e) => {
    const i = samples.findIndex((s) => s.when === cursor);
    const at = {
      ArrowLeft: i === -1 ? samples.length - 1 : Math.max(0, i - 1),
      ArrowRight: i === -1 ? samples.length - 1 : Math.min(samples.length - 1, i + 1),
      Home: 0,
      End: samples.length - 1,
    }[e.key];
    if (e.key === 'Escape') read(null);
    else if (at === undefined || samples.length === 0) return;
    else read(samples[at]);
    e.preventDefault();
    draw();
  });
}
