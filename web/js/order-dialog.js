// The confirmation shown after checkout. It follows the order from `pending` to `processed` on
// the store's live feed (`order` events on /api/events) instead of asking about the order again
// and again. The feed is opened before the order is placed, because the order processor can
// finish within milliseconds of the checkout's answer; it is closed with the dialog.

import { api } from './api.js';
import { setText } from './dom.js';
import * as feed from './feed.js';

/** How long checkout waits for the feed to open before placing the order anyway. */
const OPEN_WAIT_MS = 2000;
/** After this long still pending, say so instead of promising a prompt answer. */
const STILL_PENDING_MS = 60000;

const HELP = {
  pending: 'We are confirming your order…',
  processed: 'Confirmed! You can find it under "Your orders" on this page.',
  failed: 'Something went wrong confirming this order. It is listed under "Your orders" with its status.',
};

/**
 * The feed being listened to: `orderId` is null until checkout answers, and changes seen before
 * then are kept in `early` so none is lost.
 */
let watch = null;

/** Subscribes to the live feed ahead of a checkout; resolves once it is open (or after OPEN_WAIT_MS). */
export function listen() {
  stopListening();
  const until = new AbortController();
  const current = { until, orderId: null, early: new Map(), onSettled: null, timer: null, status: null };
  watch = current;
  feed.on('order', ({ order_id: id, status }) => {
    // A relay can overtake the checkout's own `pending`: a settled status is never taken back.
    if (current.orderId === null) {
      if (current.early.get(id) === undefined || current.early.get(id) === 'pending') current.early.set(id, status);
    } else if (id === current.orderId) showStatus(current, status);
  }, until.signal);
  // Changes made while the feed was not open (it opened late, or reconnected) were not sent:
  // read the order once then. In the usual case the feed opens before the order exists.
  feed.on('status', ({ live }) => {
    if (live && current.orderId !== null && current.status === 'pending') catchUp(current);
  }, until.signal);
  return feed.whenOpen(OPEN_WAIT_MS);
}

/** Ends the subscription; nothing is followed until the next checkout. */
export function stopListening() {
  if (!watch) return;
  watch.until.abort();
  clearTimeout(watch.timer);
  watch = null;
}

/**
 * Shows the dialog for `orderId`, placed just now, and follows its status until it settles.
 * `tries`: what a flaky-network checkout's tries came to, shown only when given.
 */
export function confirmOrder(orderId, onSettled, tries = '') {
  const dialog = document.getElementById('order-dialog');
  setText('order-number', `#${orderId}`);
  setText('order-tries', tries);
  document.getElementById('order-tries').hidden = !tries;
  if (!watch) listen(); // only when checkout did not call listen() first
  const current = watch;
  current.orderId = orderId;
  current.onSettled = onSettled;
  showStatus(current, current.early.get(orderId) ?? 'pending');
  current.early.clear();
  // The feed did not open in time, so changes may have gone by unseen.
  if (current.status === 'pending' && !feed.live()) catchUp(current);
  current.timer = setTimeout(() => {
    if (current.status === 'pending') setText('order-status-help', 'Still confirming — check "Your orders" in a little while.');
  }, STILL_PENDING_MS);
  dialog.addEventListener('close', () => { if (watch === current) stopListening(); }, { once: true });
  dialog.showModal();
}

/** Closes the dialog (another page is being shown). */
export function closeOrderDialog() {
  const dialog = document.getElementById('order-dialog');
  if (dialog.open) dialog.close();
  stopListening();
}

async function catchUp(current) {
  const { order } = await api.order(current.orderId).catch(() => ({ order: null }));
  if (order && watch === current) showStatus(current, order.status);
}

function showStatus(current, status) {
  if (current.status === status) return; // the feed and a catch-up read can both tell it
  if (status === 'pending' && current.status) return; // overtaken: already settled
  current.status = status;
  const el = document.getElementById('order-status');
  el.textContent = status;
  el.className = `status ${status}`;
  setText('order-status-help', HELP[status] ?? '');
  if (status !== 'pending') {
    // Settled: the dialog stays for the shopper to read, the feed is no longer needed.
    current.until.abort();
    clearTimeout(current.timer);
    current.onSettled?.();
  }
}
