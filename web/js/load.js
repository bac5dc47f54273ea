// The dashboard's load panel: start and stop a load run (admin only) and watch its requests/s,
// p95 latency and errors/s as a live chart. Figures arrive as `load` events on the dashboard's
// event feed, so the chart moves in step with the service lights.

import { api } from './api.js';
import { setText, toast } from './dom.js';

const POINTS = 60;
/** The run's last POINTS figures, oldest first: what the chart draws. */
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
      samples = [];
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
    samples.push(p);
    if (samples.length > POINTS) samples.shift();
    const where = change.instance ? ` from ${change.instance}` : '';
    setText('load-figures', `Running ${change.plan}${where}: ${p.requests_per_sec.toFixed(0)} requests/s · p95 ${p.p95_ms.toFixed(1)} ms · ${p.errors_per_sec.toFixed(0)} errors/s · ${p.requests} requests so far`);
    draw();
  } else if (change.summary) {
    const s = change.summary;
    setText('load-figures', `Stopped. ${s.requests} requests in ${s.seconds.toFixed(0)} s: ${s.requests_per_sec.toFixed(0)}/s, p99 ${s.latency.p99_ms.toFixed(1)} ms, ${s.errors} errors.`);
  } else if (change.running) {
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
  const top = (key) => Math.max(1, ...samples.map((p) => p[key]));
  const scales = { requests_per_sec: top('requests_per_sec'), p95_ms: top('p95_ms'), errors_per_sec: top('requests_per_sec') };
  const line = (key) => samples.map((p, i) => {
    const x = (i / (POINTS - 1)) * 600;
    const y = 155 - (p[key] / scales[key]) * 145;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  }).join(' ');
  chart.querySelector('.rps').setAttribute('points', line('requests_per_sec'));
  chart.querySelector('.p95').setAttribute('points', line('p95_ms'));
  chart.querySelector('.errors').setAttribute('points', line('errors_per_sec'));
  setText('load-scale', `(top: ${scales.requests_per_sec.toFixed(0)}/s, ${scales.p95_ms.toFixed(1)} ms)`);
}
