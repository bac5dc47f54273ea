// The cart page: lines with quantity controls, totals, checkout with inline validation, the
// order confirmation, and the shopper's order history. Lines are kept by car: a + or − changes
// the line's numbers in place, so the button just pressed keeps focus.

import * as account from './account.js';
import { api, cancelled } from './api.js';
import { checkoutFlaky, isOn as flakyOn, triesSummary } from './flaky.js';
import { showCartCount } from './cart-count.js';
import { h, keyed, money, setText, toast } from './dom.js';
import { closeOrderDialog, confirmOrder, listen, stopListening } from './order-dialog.js';
import * as rules from './rules.js';

/** The checkout form's fields and the store's rule for each. */
const RULES = { 'customer-name': rules.name, 'customer-email': rules.email };

/** Kept across retries of one checkout so a repeated click never buys twice. */
let idempotencyKey = null;
/** The account whose name and email were put in the checkout form, to take them out again. */
let prefilled = null;

export function init() {
  document.getElementById('clear-cart').addEventListener('click', () => change(api.clearCart(), 'Cart cleared'));
  const form = document.getElementById('checkout-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit(form);
  });
  for (const id of Object.keys(RULES)) rules.checkAsTyped(document.getElementById(id), RULES[id]);
}

let page = null;

export function enter(params, signal) {
  page = signal;
  refresh();
  loadHistory();
  account.refresh().then((who) => !signal.aborted && prefill(who));
}

/** Signed in or out while the cart shows: it is another cart now, with other orders. */
export function accountChanged(who) {
  idempotencyKey = null;
  refresh();
  loadHistory();
  prefill(who);
}

/**
 * A signed-in shopper's name and email go into the checkout form's empty fields. Signed out,
 * the fields still holding them are emptied, so the next shopper at this screen does not
 * check out under them; whatever the shopper typed stays.
 */
function prefill(who) {
  const form = document.getElementById('checkout-form');
  const fields = { name: form.elements.customer_name, email: form.elements.customer_email };
  for (const [key, input] of Object.entries(fields)) {
    if (input.value !== '' && input.value !== prefilled?.[key]) continue;
    input.value = who?.[key] ?? '';
    rules.showFieldError(input, '');
  }
  prefilled = who;
}

/** The confirmation belongs to this page: it does not follow the shopper elsewhere. */
export function leave() {
  closeOrderDialog();
}

async function refresh() {
  try {
    render(await api.cart({ signal: page }));
  } catch (error) {
    if (!cancelled(error)) setText('checkout-error', `Your cart could not be loaded: ${error.message}`);
  }
}

function render(cart) {
  showCartCount(cart);
  const empty = cart.items.length === 0;
  document.getElementById('cart-empty').hidden = !empty;
  document.getElementById('clear-cart').hidden = empty;
  document.getElementById('place-order').disabled = empty;
  keyed(document.getElementById('cart-lines'), cart.items, (item) => item.car_id, line, (li, item) => fill(li, item, cart.max_line_quantity));
  setText('summary-count', String(cart.count));
  setText('summary-total', money(cart.total_cents));
}

/** One cart line, built once per car; `fill` writes what a change moves. */
function line(item) {
  const title = `${item.year} ${item.make} ${item.model}`;
  const step = (delta, label, symbol) => h('button', {
    type: 'button',
    class: 'button icon',
    'aria-label': `${label} (${title})`,
    dataset: { delta, testid: `${delta > 0 ? 'more' : 'fewer'}-${item.car_id}` },
    onclick: (e) => change(api.setQuantity(item.car_id, Number(e.currentTarget.closest('li').dataset.quantity) + delta)),
  }, symbol);
  return h('li', { class: 'cart-line', dataset: { carId: item.car_id } },
    h('img', { src: item.image, alt: '', width: 120, height: 68 }),
    h('div', { class: 'line-info' },
      h('p', { class: 'line-title' }, title),
      h('p', { class: 'muted' }, `${money(item.price_cents)} each`)),
    h('div', { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${title}` },
      step(-1, 'One fewer', '−'),
      h('span', { class: 'qty', 'aria-live': 'polite' }),
      step(1, 'One more', '+')),
    h('p', { class: 'line-total' }),
    h('button', {
      type: 'button',
      class: 'button ghost small',
      'aria-label': `Remove ${title}`,
      onclick: () => change(api.removeLine(item.car_id), `${title} removed`),
    }, 'Remove'));
}

/** The quantity, the line's total, and which steps the store's limit per line (`max`) allows. */
function fill(li, item, max) {
  li.dataset.quantity = item.quantity;
  li.querySelector('.qty').textContent = item.quantity;
  li.querySelector('.line-total').textContent = money(item.line_total_cents);
  for (const button of li.querySelectorAll('[data-delta]')) {
    const next = item.quantity + Number(button.dataset.delta);
    button.disabled = next < 1 || next > max;
  }
}

async function change(request, message) {
  try {
    render(await request);
    idempotencyKey = null; // a different cart is a different checkout
    if (message) toast(message);
  } catch (error) {
    toast(error.message, 'error');
  }
}

const validate = (input) => rules.check(input, RULES[input.id]);
const showFieldError = rules.showFieldError;

async function submit(form) {
  const [name, email] = [form.elements.customer_name, form.elements.customer_email];
  const valid = [name, email].map(validate);
  if (!valid.every(Boolean)) {
    form.querySelector('[aria-invalid="true"]').focus();
    return;
  }
  setText('checkout-error', '');
  const button = document.getElementById('place-order');
  button.disabled = true;
  button.textContent = 'Placing order…';
  idempotencyKey ??= crypto.randomUUID();
  await listen();
  try {
    const customer = { customer_name: rules.trim(name.value), customer_email: rules.trim(email.value) };
    const flaky = flakyOn() ? await checkoutFlaky(customer, idempotencyKey) : null;
    const placed = flaky ? { order_id: flaky.orderId } : await api.checkout(customer, idempotencyKey);
    idempotencyKey = null;
    const keepFlaky = flakyOn(); // the drill stays on for the next checkout; reset clears it
    form.reset();
    document.getElementById('flaky-network').checked = keepFlaky;
    prefill(account.current());
    await refresh();
    confirmOrder(placed.order_id, loadHistory, triesSummary(flaky));
    loadHistory();
  } catch (error) {
    stopListening();
    if (error.code === 'invalid_customer_name') showFieldError(name, error.message);
    else if (error.code === 'invalid_customer_email') showFieldError(email, error.message);
    else setText('checkout-error', error.message);
  } finally {
    button.textContent = 'Place order';
    button.disabled = document.getElementById('cart-lines').children.length === 0;
  }
}

async function loadHistory() {
  let orders = [];
  try {
    orders = await api.orders({ signal: page });
  } catch (error) {
    if (!cancelled(error)) setText('history-empty', 'Your orders cannot be shown right now.');
    return;
  }
  setText('history-empty', 'No orders yet.');
  document.getElementById('history-empty').hidden = orders.length > 0;
  const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  document.getElementById('order-history').replaceChildren(...orders.map((o) =>
    h('li', { class: 'order-row' },
      h('span', { class: 'order-id' }, `Order #${o.id}`),
      h('span', { class: 'muted' }, when.format(new Date(o.created_at))),
      h('span', {}, `${o.item_count} ${o.item_count === 1 ? 'car' : 'cars'}`),
      h('span', { class: 'price' }, money(o.total_cents)),
      h('span', { class: `status ${o.status}` }, o.status))));
}
