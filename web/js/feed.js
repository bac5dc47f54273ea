// The tab's one live feed: a single EventSource on /api/events that every page and panel
// subscribes to by event kind (`health`, `order`, `load`, `fault`, `breaker`, `control`,
// `refused`, `scenario`, and `log:NAME` for a log window), each subscription ended by the
// subscriber's cancel signal. The store multiplexes it all on one connection, so a tab never
// spends more than one of the browser's six connections per host on streams.
//
// What the feed carries follows its subscribers: a log window or the scenario run is asked for
// in the address, so a change of those reopens the feed (resuming each window after the last
// line seen); with no subscriber left it is closed. `status` subscribers hear `{ live }` as the
// feed opens and drops.

const handlers = new Map();
/** The last line seen in each followed log window, so a reopened feed resumes it. */
const seqs = new Map();
let source = null;
let topics = null;
let retry = null;
let queued = false;
/** A subscriber that needs what the store sends on connect (a snapshot, the run) came since it opened. */
let fresh = false;
/** The kinds whose current state the store sends only as a feed opens. */
const ON_CONNECT = new Set(['health', 'breaker', 'scenario']);

/** Calls `fn(data)` for each `kind` event until `signal` is aborted. */
export function on(kind, fn, signal) {
  if (signal.aborted) return;
  if (!handlers.has(kind)) handlers.set(kind, new Set());
  handlers.get(kind).add(fn);
  if (ON_CONNECT.has(kind) && source) fresh = true;
  // A page that comes to an open feed hears it is open, as it would have when it opened.
  if (kind === 'status' && live()) queueMicrotask(() => !signal.aborted && fn({ live: true }));
  signal.addEventListener('abort', () => {
    handlers.get(kind)?.delete(fn);
    if (handlers.get(kind)?.size === 0) handlers.delete(kind);
    if (kind.startsWith('log:') && !handlers.has(kind)) seqs.delete(kind.slice(4));
    soon();
  }, { once: true });
  soon();
}

/** Whether the feed is open now. */
export const live = () => source?.readyState === EventSource.OPEN;

/** Resolves once the feed is open, or after `ms` whatever happened (the caller goes on). */
export function whenOpen(ms) {
  if (live()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('carstore:feed-open', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('carstore:feed-open', done);
  });
}

/** Reconciles once per task however many subscriptions change in it. */
function soon() {
  if (queued) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    reconcile();
  });
}

function wanted() {
  if (handlers.size === 0) return null;
  const logs = [...handlers.keys()].filter((k) => k.startsWith('log:')).map((k) => k.slice(4)).sort();
  return { logs, scenario: handlers.has('scenario') };
}

function reconcile(force = false) {
  const next = wanted();
  const same = JSON.stringify(next) === JSON.stringify(topics);
  // Reopened for a new page's snapshot: the store sends health and breakers only on connect.
  const again = force || (fresh && next !== null);
  fresh = false;
  if (same && !again && (source || !next)) return;
  close();
  topics = next;
  if (next) open(next);
}

function close() {
  clearTimeout(retry);
  source?.close();
  source = null;
}

function address({ logs, scenario }) {
  const params = new URLSearchParams();
  if (logs.length) params.set('logs', logs.map((w) => (seqs.has(w) ? `${w}:${seqs.get(w)}` : w)).join(','));
  if (scenario) params.set('scenario', 'true');
  const query = params.toString();
  return `/api/events${query ? `?${query}` : ''}`;
}

const KINDS = ['health', 'order', 'load', 'fault', 'breaker', 'control', 'refused', 'scenario'];

function open(wantedTopics) {
  const es = new EventSource(address(wantedTopics));
  source = es;
  for (const kind of KINDS) es.addEventListener(kind, (e) => tell(kind, JSON.parse(e.data)));
  es.addEventListener('log', (e) => {
    const line = JSON.parse(e.data);
    seqs.set(line.window, line.seq);
    tell(`log:${line.window}`, line);
  });
  es.addEventListener('open', () => {
    tell('status', { live: true });
    window.dispatchEvent(new Event('carstore:feed-open'));
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    tell('status', { live: false });
    // The browser retries on its own unless the store refused the feed outright.
    if (es.readyState === EventSource.CLOSED) retry = setTimeout(() => reconcile(true), 2000);
  });
}

function tell(kind, data) {
  for (const fn of [...(handlers.get(kind) ?? [])]) fn(data);
}
