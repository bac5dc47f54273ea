// Live log windows, one per service card (admin only), fed by the tab's one live feed: a window
// that follows subscribes to its `log:NAME` lines and unsubscribes when closed, and the store
// resumes each window after the last line seen when the feed reconnects. A window follows the
// newest line only while scrolled to the bottom, so reading older lines is never interrupted;
// Pause holds new lines back, Clear empties it, and at most MAX_LINES are kept so a chatty
// service cannot slow the page.

import { h } from './dom.js';
import * as feed from './feed.js';

const MAX_LINES = 500;
const SIGNED_OUT = 'Sign in to follow the log';
const windows = new Map();

/** The (closed) window for one card. */
export function logWindow(name) {
  const lines = h('div', {
    class: 'log-lines', role: 'log', tabindex: '0', 'aria-label': `${name} log`, dataset: { testid: `log-${name}` },
  });
  const status = h('span', { class: 'log-status' }, SIGNED_OUT);
  const pause = h('button', { type: 'button', class: 'button ghost small', disabled: true, onclick: () => togglePause(name) }, 'Pause');
  const clear = h('button', { type: 'button', class: 'button ghost small', onclick: () => lines.replaceChildren() }, 'Clear');
  const root = h('div', { class: 'log-window' }, h('div', { class: 'log-bar' }, status, pause, clear), lines);
  windows.set(name, { root, lines, status, pause, following: null, paused: false, held: [] });
  return root;
}

/** Follows a window's lines until `signal` fires or `close`; says why when there is no log. */
export function open(name, hasLog, signal) {
  const w = windows.get(name);
  if (!w || (w.following && !w.following.signal.aborted)) return;
  w.root.classList.toggle('no-log', !hasLog);
  if (!hasLog) {
    w.status.textContent = 'No log window: embedded, or no log source configured';
    return;
  }
  w.following = new AbortController();
  const until = AbortSignal.any([signal, w.following.signal]);
  until.addEventListener('abort', () => stopped(w), { once: true });
  w.lines.replaceChildren();
  w.status.textContent = feed.live() ? 'Live' : 'Connecting…';
  w.pause.disabled = false;
  feed.on(`log:${name}`, (line) => append(w, line), until);
  feed.on('status', ({ live }) => { w.status.textContent = live ? 'Live' : 'Reconnecting…'; }, until);
  feed.on('refused', (why) => {
    if (why.topic === 'logs' && (!why.window || why.window === name)) w.status.textContent = why.message;
  }, until);
}

function close(name) {
  windows.get(name)?.following?.abort();
}

export function closeAll() {
  for (const name of windows.keys()) close(name);
}

function stopped(w) {
  w.following = null;
  w.pause.disabled = true;
  w.status.textContent = SIGNED_OUT;
}

function togglePause(name) {
  const w = windows.get(name);
  w.paused = !w.paused;
  w.pause.textContent = w.paused ? 'Resume' : 'Pause';
  w.status.textContent = w.paused ? 'Paused: new lines are held back' : 'Live';
  if (!w.paused) {
    const held = w.held;
    w.held = [];
    for (const line of held) append(w, line);
  }
}

function append(w, line) {
  if (w.paused) {
    w.held.push(line);
    if (w.held.length > MAX_LINES) w.held.shift();
    return;
  }
  const box = w.lines;
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
  const time = new Date(line.ts).toLocaleTimeString();
  box.append(h('div', { class: `log-line ${line.stream}` }, h('time', { datetime: line.ts }, time), ' ', line.line));
  while (box.childElementCount > MAX_LINES) box.firstElementChild.remove();
  if (atBottom) box.scrollTop = box.scrollHeight;
}
