// The cart page: lines with quantity controls, totals, checkout with inline validation, the
// order confirmation, and the shopper's order history.

import * as account from './account.js';
import { api } from './api.js';
import { checkoutFlaky, isOn as flakyOn, triesSummary } from './flaky.js';
import { showCartCount } from './cart-count.js';
import { h, money, setText, toast } from './dom.js';
import { closeOrderDialog, confirmOrder, listen, stopListening } from './order-dialog.js';

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
  for (const input of form.querySelectorAll('input')) {
    input.addEventListener('blur', () => input.value && validate(input));
    input.addEventListener('input', () => input.getAttribute('aria-invalid') === 'true' && validate(input));
  }
}

export function enter() {
  refresh();
  loadHistory();
  account.refresh().then(prefill);
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
    showFieldError(input, '');
  }
  prefilled = who;
}

/** The confirmation belongs to this page: it does not follow the shopper elsewhere. */
export function leave() {
  closeOrderDialog();
}

async function refresh() {
  try {
    render(await api.cart());
  } catch (error) {
    setText('checkout-error', `Your cart could not be loaded: ${error.message}`);
  }
}

function render(cart) {
  showCartCount(cart);
  const empty = cart.items.length === 0;
  document.getElementById('cart-empty').hidden = !empty;
  document.getElementById('clear-cart').hidden = empty;
  document.getElementById('place-order').disabled = empty;
  document.getElementById('cart-lines').replaceChildren(...cart.items.map((item) => line(item, cart.max_line_quantity)));
  setText('summary-count', String(cart.count));
  setText('summary-total', money(cart.total_cents));
}

/** One cart line; `max` is the store's limit per line, as the cart answer states it. */
function line(item, max) {
  const title = `${item.year} ${item.make} ${item.model}`;
  const step = (delta, label, symbol) => h('button', {
    type: 'button',
    class: 'button icon',
    'aria-label': `${label} (${title})`,
    disabled: item.quantity + delta < 1 || item.quantity + delta > max,
    onclick: () => change(api.setQuantity(item.car_id, item.quantity + delta)),
  }, symbol);
  return h('li', { class: 'cart-line', dataset: { carId: item.car_id } },
    h('img', { src: item.image, alt: '', width: 120, height: 68 }),
    h('div', { class: 'line-info' },
      h('p', { class: 'line-title' }, title),
      h('p', { class: 'muted' }, `${money(item.price_cents)} each`)),
    h('div', { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${title}` },
      step(-1, 'One fewer', '−'),
      h('span', { class: 'qty', 'aria-live': 'polite' }, item.quantity),
      step(1, 'One more', '+')),
    h('p', { class: 'line-total' }, money(item.line_total_cents)),
    h('button', {
      type: 'button',
      class: 'button ghost small',
      'aria-label': `Remove ${title}`,
      onclick: () => change(api.removeLine(item.car_id), `${title} removed`),
    }, 'Remove'));
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

const rules = {
  'customer-name': (v) => {
    if (!v.trim()) return 'Please enter your name.';
    if (v.trim().length > 200) return 'Please use at most 200 characters.';
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(v)) return 'Please remove special control characters.';
    return '';
  },
  'customer-email': (v) => (/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(v.trim()) ? '' : 'Please enter an email like name@example.com.'),
};

function validate(input) {
  return showFieldError(input, rules[input.id](input.value));
}

function showFieldError(input, message) {
  input.setAttribute('aria-invalid', String(Boolean(message)));
  setText(`${input.id}-error`, message);
  return !message;
}

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
    const customer = { customer_name: name.value.trim(), customer_email: email.value.trim() };
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
    orders = await api.orders();
  } catch {
    setText('history-empty', 'Your orders cannot be shown right now.');
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
