// The dashboard's load panel: start and stop a load run (admin only) and watch its requests/s,
// p95 latency and errors/s as a live chart. Figures arrive as `load` events on the dashboard's
// event feed, so the chart moves in step with the service lights.
//
// The chart is the last minute by the clock, not the last 60 figures: it moves left each second
// while the dashboard shows, run or no run, so a fault marked while nothing runs has its place,
// and a run's figures slide off the left edge a minute after it stops (a new run starts a new line).

import { api } from './api.js';
import { every, setText, toast } from './dom.js';
import * as markers from './markers.js';

const WINDOW_MS = 60_000;
/** The figures of the last minute, oldest first, each with `when` it arrived: what the chart draws. */
let samples = [];
let signedIn = false;
let running = false;

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
      toast(`Load: ${error.message}`, 'error');
    }
  });
  document.getElementById('load-stop').addEventListener('click', async () => {
    await api.stopLoad().catch((error) => toast(`Load: ${error.message}`, 'error'));
  });
  updateButtons();
}

/** Moves the chart each second while the dashboard shows; `stop` when it is left. */
export const { start, stop } = every(1000, draw);

/** A `fault` event from the feed: marked on the chart at once. */
export function mark(event) {
  markers.add(event);
  draw();
}

/** Whether the visitor may start and stop load. */
export function setAdmin(admin) {
  signedIn = admin;
  updateButtons();
}

/** A `load` event from the feed. */
export function show(change) {
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

function updateButtons() {
  const start = document.getElementById('load-start');
  const stop = document.getElementById('load-stop');
  start.disabled = !signedIn || running;
  stop.disabled = !signedIn || !running;
  const why = signedIn ? '' : 'Sign in with the admin token to put load on the store';
  start.title = why || (running ? 'A load run is going' : '');
  stop.title = why;
}

function draw() {
  const chart = document.getElementById('load-chart');
  const from = Date.now() - WINDOW_MS;
  samples = samples.filter((p) => p.when >= from);
  const top = (key) => Math.max(1, ...samples.map((p) => p[key]));
  const scales = { requests_per_sec: top('requests_per_sec'), p95_ms: top('p95_ms'), errors_per_sec: top('requests_per_sec') };
  const line = (key) => samples.map((p) => {
    const x = ((p.when - from) / WINDOW_MS) * 600;
    const y = 155 - (p[key] / scales[key]) * 145;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  }).join(' ');
  chart.querySelector('.rps').setAttribute('points', line('requests_per_sec'));
  chart.querySelector('.p95').setAttribute('points', line('p95_ms'));
  chart.querySelector('.errors').setAttribute('points', line('errors_per_sec'));
  setText('load-scale', samples.length ? `(top: ${scales.requests_per_sec.toFixed(0)}/s, ${scales.p95_ms.toFixed(1)} ms)` : '');
  markers.draw(document.getElementById('load-markers'), from, WINDOW_MS);
}
