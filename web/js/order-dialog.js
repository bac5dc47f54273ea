// The confirmation shown after checkout. It follows the order from `pending` to `processed`.

import { api } from './api.js';
import { setText } from './dom.js';

const POLL_MS = 1000;
const GIVE_UP_AFTER = 60;
let watching = 0;

const HELP = {
  pending: 'We are confirming your order…',
  processed: 'Confirmed! A receipt is on its way to your inbox.',
  failed: 'Something went wrong confirming this order. Our team has been told and will contact you.',
};

/** Opens the dialog for `orderId` and updates its status until it settles. */
export function confirmOrder(orderId, onSettled) {
  const dialog = document.getElementById('order-dialog');
  setText('order-number', `#${orderId}`);
  showStatus('pending');
  dialog.showModal();
  const run = ++watching;
  let tries = 0;
  const poll = async () => {
    if (run !== watching || !dialog.open) return;
    try {
      const { order } = await api.order(orderId);
      showStatus(order.status);
      if (order.status !== 'pending') {
        onSettled?.();
        return;
      }
    } catch {
      // A passing outage: keep watching, the order is safe in the outbox.
    }
    if (++tries < GIVE_UP_AFTER) setTimeout(poll, POLL_MS);
    else setText('order-status-help', 'Still confirming — check "Your orders" in a little while.');
  };
  setTimeout(poll, 300);
}

function showStatus(status) {
  const el = document.getElementById('order-status');
  el.textContent = status;
  el.className = `status ${status}`;
  setText('order-status-help', HELP[status] ?? '');
}
