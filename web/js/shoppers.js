// The dashboard's Shoppers figure: how many accounts have a live session. Shoppers sign in on
// other devices and other replicas and no live event tells of it, so /api/shoppers is asked
// every few seconds while the dashboard is shown, and not at all while it is hidden.

import { api, cancelled } from './api.js';
import { every, setText } from './dom.js';

const EVERY_MS = 3000;

/** Asks every three seconds until the dashboard is left. */
export function enter(signal) {
  every(EVERY_MS, refresh, signal);
}

async function refresh(signal) {
  let count;
  try {
    ({ signed_in: count } = await api.shoppers({ signal }));
  } catch (error) {
    if (cancelled(error)) return;
    count = null; // a stale figure would look current: show none instead
  }
  // setText writes only a change: the live region announces a new count, not every ask.
  setText('shoppers-count', count === null ? '–' : String(count));
}
