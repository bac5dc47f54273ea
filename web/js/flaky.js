// The "Flaky network" drill: one checkout sent several times with one Idempotency-Key, as a
// client does when answers are lost on the way back and it retries. The store must make one
// order however many tries reach it; the dialog then says how many did.

import { api } from './api.js';

/** Tries per checkout: two at once (a double send), then two retries one after the other. */
const PARALLEL = 2;
const SEQUENTIAL = 2;
export const TRIES = PARALLEL + SEQUENTIAL;

/** Whether the switch in the checkout form is on. */
export function isOn() {
  return document.getElementById('flaky-network').checked;
}

/**
 * Sends `customer`'s checkout TRIES times under `idempotencyKey`. Resolves to
 * `{ orderId, reached, orders }`: `reached` counts the tries the store answered (an order, or a
 * 409 `checkout_in_progress` while another try held the cart), `orders` the distinct order ids
 * answered. Throws the store's first other refusal (a bad field, an empty cart), as one try would.
 */
export async function checkoutFlaky(customer, idempotencyKey) {
  const send = () => api.checkout(customer, idempotencyKey).then(
    (placed) => ({ placed }),
    (error) => ({ error }),
  );
  const answers = await Promise.all(Array.from({ length: PARALLEL }, send));
  for (let i = 0; i < SEQUENTIAL; i += 1) answers.push(await send());
  const inProgress = (e) => e.status === 409 && e.code === 'checkout_in_progress';
  // A try lost on the way (status 0) never reached the store: it is not counted, nor shown.
  const refused = answers.find((a) => a.error && a.error.status !== 0 && !inProgress(a.error));
  if (refused) throw refused.error;
  const reached = answers.filter((a) => a.placed || inProgress(a.error)).length;
  const ids = new Set(answers.filter((a) => a.placed).map((a) => a.placed.order_id));
  // The last tries start after the first ones were answered, so an order exists by then; none
  // at all means every try was held off, which is the store's answer to show.
  if (ids.size === 0) throw answers[answers.length - 1].error;
  return { orderId: [...ids][0], reached, orders: ids.size };
}

/** What the dialog says about the tries; an empty string for an ordinary checkout. */
export function triesSummary(result) {
  if (!result) return '';
  const orders = result.orders === 1 ? 'one order was made' : `${result.orders} orders were made`;
  return `Flaky network: ${result.reached} of ${TRIES} tries reached the store, and ${orders}.`;
}
