// The dashboard's Shoppers figure: how many accounts have a live session. Shoppers sign in on
// other devices and other replicas and no live event tells of it, so /api/shoppers is asked
// every few seconds while the dashboard is shown, and not at all while it is hidden.

import { api } from './api.js';
import { every, setText } from './dom.js';

const EVERY_MS = 3000;
let shown = null;
const polling = every(EVERY_MS, refresh);

export const { start, stop } = polling;

async function refresh() {
  let count;
  try {
    ({ signed_in: count } = await api.shoppers());
  } catch {
    count = null; // a stale figure would look current: show none instead
  }
  if (!polling.running() || count === shown) return; // stopped meanwhile, or nothing to announce
  shown = count;
  setText('shoppers-count', count === null ? '–' : String(count));
}
