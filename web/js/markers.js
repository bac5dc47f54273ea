// Fault markers on the load chart: each fault set, cleared or ended on its own (a `fault` event
// of the feed) is a vertical line at the moment it happened, with a short label. They share the
// chart's minute with the load figures: the chart draws both each second, so a marker moves left
// with the figures and drops off the left edge like them, run or no run.

import { h } from './dom.js';
import { UNIT } from './faults.js';

/** Most markers kept: a minute of drills is never more, and a flood must not grow the page. */
const MOST = 20;
/** Labels take turns on this many rows, so markers close together do not print over each other. */
const ROWS = 3;
/** The store's clock is believed while within this of the browser's; beyond, arrival time is used. */
const SKEW_MS = 5000;

/** The markers still on the chart, oldest first: `{ when, change, label, title, row }`. */
let marks = [];
let added = 0;

/** A `fault` event from the feed. */
export function add(event, now = Date.now()) {
  const what = fault(event);
  marks.push({
    when: when(event.at, now),
    change: event.change,
    // An end is labelled just that: its line after the set's says which drill it ended.
    label: event.change === 'set' ? what : event.change,
    title: `${what} ${event.change}`,
    row: added++ % ROWS,
  });
  marks.sort((a, b) => a.when - b.when);
  while (marks.length > MOST) marks.shift();
}

/** The markers of the window starting at `from` and `span` ms long, as one SVG group. */
export function layer(from, span) {
  marks = marks.filter((m) => m.when >= from);
  return h('g', { id: 'load-markers', 'data-testid': 'load-markers' }, marks.map((m) => marker(m, (m.when - from) / span)));
}

/** "cache outage", "database latency 300 ms" (an end carries no value). */
function fault(event) {
  const value = event.value == null ? '' : ` ${event.value} ${UNIT[event.kind] ?? ''}`;
  return `${event.target} ${event.kind}${value}`.trim();
}

/**
 * When it happened on the browser's clock, which places the figures: the store's time when the
 * clocks agree (an expiry is told up to a quarter second after it), else the arrival.
 */
function when(at, now) {
  const told = Date.parse(at);
  return Math.abs(now - told) < SKEW_MS ? told : now;
}

/** `share`: how far along the chart, 0 at the left edge. Labels on the right half face left, so
 * one fits a 360 px screen wherever its line is. */
function marker(mark, share) {
  const x = `${(Math.min(share, 1) * 100).toFixed(2)}%`;
  const facesLeft = share > 0.5;
  return h('g', { class: `marker ${mark.change}`, 'data-testid': 'load-marker', 'data-change': mark.change },
    h('title', {}, mark.title),
    h('line', { x1: x, x2: x, y1: 0, y2: '100%' }),
    h('text', {
      x, y: 34 + mark.row * 14, dx: facesLeft ? -4 : 4, 'text-anchor': facesLeft ? 'end' : 'start',
    }, mark.label));
}
