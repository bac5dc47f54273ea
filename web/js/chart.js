// The load chart: the last minute by the clock in two panels that share a time axis: throughput
// (requests/s and errors/s, one unit, one scale) above, p95 latency (ms) below, each with its own
// y axis and ticks. Fault markers run through both. A person reads a second's figures by pointing
// at the chart, or by focusing it and pressing ← → (Home, End; Escape lets go).

import { h } from './dom.js';
import * as markers from './markers.js';

const HEIGHT = 250;
const LEFT = 52;
const RIGHT = 12;
/** Each panel's top and bottom, in px from the chart's top. */
const PANELS = {
  throughput: { top: 22, bottom: 112, title: 'Throughput (per second)', unit: '/s', series: ['requests_per_sec', 'errors_per_sec'] },
  latency: { top: 146, bottom: 212, title: 'p95 latency (ms)', unit: ' ms', series: ['p95_ms'] },
};
const CLASS = { requests_per_sec: 'rps', errors_per_sec: 'errors', p95_ms: 'p95' };
const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The smallest 1, 2 or 5 × 10ⁿ at or above `v`: a top tick a person reads at a glance. */
function niceTop(v) {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((t) => t >= v);
}

/** Draws `samples` (each `{ when, … }`) of the minute from `from` into `svg`; `cursor` a sample's `when` or null. */
export function draw(svg, samples, from, span, cursor) {
  const width = Math.max(svg.clientWidth || 600, 240);
  svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
  const x = (when) => LEFT + ((when - from) / span) * (width - LEFT - RIGHT);
  const parts = Object.values(PANELS).map((panel) => drawPanel(panel, samples, x, width));
  const at = samples.find((s) => s.when === cursor);
  svg.replaceChildren(
    ...parts,
    timeAxis(from, span, x),
    h('svg', { x: LEFT, y: 0, width: width - LEFT - RIGHT, height: PANELS.latency.bottom, overflow: 'visible' },
      markers.layer(from, span)),
    at ? drawCursor(at, x) : null,
  );
}

function drawPanel(panel, samples, x, width) {
  const top = niceTop(Math.max(0, ...samples.flatMap((s) => panel.series.map((k) => s[k]))));
  const y = (v) => panel.bottom - (v / top) * (panel.bottom - panel.top);
  const ticks = [0, top / 2, top].map((v) => h('g', { class: 'tick' },
    h('line', { x1: LEFT, x2: width - RIGHT, y1: y(v), y2: y(v) }),
    h('text', { x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${+v.toFixed(2)}${panel.unit}`)));
  const lines = panel.series.map((k) => h('polyline', {
    class: CLASS[k],
    points: samples.map((s) => `${x(s.when).toFixed(1)},${y(s[k]).toFixed(1)}`).join(' '),
  }));
  return h('g', { class: 'panel' }, h('text', { class: 'panel-title', x: LEFT, y: panel.top - 8 }, panel.title), ...ticks, ...lines);
}

/** A tick every 15 s of the clock, labelled with the time, and "now" at the right edge. */
function timeAxis(from, span, x) {
  const y = PANELS.latency.bottom;
  const first = Math.ceil(from / 15_000) * 15_000;
  const ticks = [];
  for (let t = first; t <= from + span; t += 15_000) {
    ticks.push(h('g', { class: 'tick' },
      h('line', { x1: x(t), x2: x(t), y1: y, y2: y + 5 }),
      h('text', { x: x(t), y: y + 18, 'text-anchor': 'middle' }, time(t))));
  }
  return h('g', { class: 'time-axis' },
    h('line', { class: 'axis', x1: x(from), x2: x(from + span), y1: y, y2: y }), ...ticks,
    h('text', { class: 'axis-label', x: x(from + span), y: y + 34, 'text-anchor': 'end' }, 'time (the last minute)'));
}

function drawCursor(at, x) {
  return h('g', { class: 'cursor' },
    h('line', { x1: x(at.when), x2: x(at.when), y1: PANELS.throughput.top, y2: PANELS.latency.bottom }));
}

/** What the readout says of one second. */
export function describe(s) {
  return `${time(s.when)}: ${s.requests_per_sec.toFixed(0)} requests/s, ${s.errors_per_sec.toFixed(0)} errors/s, p95 ${s.p95_ms.toFixed(1)} ms`;
}

/** The sample nearest the pointer's x on `svg` (client coordinates), or null. */
export function nearest(svg, clientX, samples, from, span) {
  const box = svg.getBoundingClientRect();
  const width = Math.max(box.width, 240);
  const when = from + ((clientX - box.left - LEFT) / (width - LEFT - RIGHT)) * span;
  let best = null;
  for (const s of samples) if (!best || Math.abs(s.when - when) < Math.abs(best.when - when)) best = s;
  return best;
}
