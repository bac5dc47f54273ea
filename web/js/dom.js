// Small DOM helpers. Text always goes in through textContent, never as HTML.

/** The SVG elements the pages draw: `h` makes these in SVG's namespace, so a chart is built like a list. */
const SVG_TAGS = new Set(['svg', 'g', 'line', 'polyline', 'rect', 'text', 'title', 'path']);
/** SVG's namespace, read from the page's own chart, so no module names a URL. */
const svgNamespace = () => document.querySelector('svg').namespaceURI;

/**
 * Creates an element: `h('p', { class: 'x', dataset: { id: 1 } }, 'text', child)`, or an SVG one
 * (`h('line', { x1: 0, … })`). Strings and numbers become text nodes; `on…` props become
 * listeners; other props become attributes (`false`, null and undefined leave them out).
 */
export function h(tag, props = {}, ...children) {
  const el = SVG_TAGS.has(tag) ? document.createElementNS(svgNamespace(), tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Makes `parent`'s children match `items`, keyed by `key(item)`: a row whose key stays is kept
 * (and `update`d), so focus, scroll and a half-read line survive a redraw; new keys are `create`d,
 * gone ones removed, and the order follows `items`.
 */
export function keyed(parent, items, key, create, update = () => {}) {
  const old = new Map([...parent.children].map((el) => [el.dataset.key, el]));
  const rows = items.map((item) => {
    const k = String(key(item));
    let el = old.get(k);
    if (el) old.delete(k);
    else {
      el = create(item);
      el.dataset.key = k;
    }
    update(el, item);
    return el;
  });
  for (const gone of old.values()) gone.remove();
  rows.forEach((el, i) => {
    if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] ?? null);
  });
}

export function setText(id, text) {
  const el = document.getElementById(id);
  if (el.textContent !== text) el.textContent = text;
}

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const exact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Formats integer cents; whole-dollar amounts drop the ".00". */
export function money(cents) {
  return cents % 100 === 0 ? dollars.format(cents / 100) : exact.format(cents / 100);
}

let toastTimer;
/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(message, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.dataset.kind = kind;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 2600);
}

export const categoryLabel = (c) => ({ suv: 'SUV' })[c] ?? c.charAt(0).toUpperCase() + c.slice(1);

/**
 * Wires a `<dialog>` as a modal once: its `[data-close]` buttons close it, Escape closes it (the
 * browser's own), and on closing, focus goes back to what `open`'s `back()` names then. A
 * function, not the opener itself: the opener may be gone by then (signed in, the Sign in
 * button is hidden and the shopper's name shows instead).
 */
export function modal(dialog) {
  let back = () => null;
  for (const button of dialog.querySelectorAll('[data-close]')) button.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => back()?.focus());
  return {
    open(first, returnTo) {
      back = returnTo;
      if (!dialog.open) dialog.showModal();
      first.focus();
    },
    close: () => dialog.open && dialog.close(),
    get isOpen() { return dialog.open; },
  };
}

/**
 * Calls `refresh(signal)` now and then `everyMs` after each call has finished, until `signal`
 * (the page's) is aborted: a slow answer delays the next ask instead of piling asks up behind it.
 */
export function every(everyMs, refresh, signal) {
  let timer = null;
  const tick = async () => {
    try {
      await refresh(signal);
    } catch {
      // Each refresh shows its own failure; the next ask comes as usual.
    } finally {
      if (!signal.aborted) timer = setTimeout(tick, everyMs);
    }
  };
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  tick();
}
