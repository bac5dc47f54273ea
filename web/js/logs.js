// Live log windows, one per service panel, fed by server-sent events (admin only). A window
// follows the newest line only while it is scrolled to the bottom, so reading older lines is
// never interrupted; Pause holds new lines back, Clear empties it, and at most MAX_LINES are kept
// so a chatty service cannot slow the page. The browser reconnects on its own and the server
// resumes after the last line seen (Last-Event-ID).

import { api } from './api.js';
import { h } from './dom.js';

const MAX_LINES = 500;
const windows = new Map();

/** The (closed) window for one panel. */
export function logWindow(name) {
  const lines = h('div', {
    class: 'log-lines', role: 'log', tabindex: '0', 'aria-label': `${name} log`, dataset: { testid: `log-${name}` },
  });
  const status = h('span', { class: 'log-status' }, 'Sign in to follow the log');
  const pause = h('button', { type: 'button', class: 'button ghost small', disabled: true, onclick: () => togglePause(name) }, 'Pause');
  const clear = h('button', { type: 'button', class: 'button ghost small', onclick: () => lines.replaceChildren() }, 'Clear');
  const root = h('div', { class: 'log-window' }, h('div', { class: 'log-bar' }, status, pause, clear), lines);
  windows.set(name, { root, lines, status, pause, source: null, paused: false, held: [] });
  return root;
}

/** Opens a panel's window, or says why there is nothing to follow. */
export function open(name, hasLog) {
  const w = windows.get(name);
  if (!w || (w.source && w.source.readyState !== EventSource.CLOSED)) return;
  close(name);
  w.root.classList.toggle('no-log', !hasLog);
  if (!hasLog) {
    w.status.textContent = 'No log window: embedded, or no log source configured';
    return;
  }
  w.lines.replaceChildren();
  w.source = api.logLines(name);
  w.source.addEventListener('log', (e) => append(w, JSON.parse(e.data)));
  w.source.addEventListener('open', () => { w.status.textContent = 'Live'; });
  w.source.addEventListener('error', () => {
    w.status.textContent = w.source?.readyState === EventSource.CLOSED ? 'Log closed' : 'Reconnecting…';
  });
  w.pause.disabled = false;
}

export function close(name) {
  const w = windows.get(name);
  if (!w) return;
  w.source?.close();
  w.source = null;
  w.pause.disabled = true;
  w.status.textContent = 'Sign in to follow the log';
}

export function closeAll() {
  for (const name of windows.keys()) close(name);
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
