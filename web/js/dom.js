// Small DOM helpers. Text always goes in through textContent, never as HTML.

/**
 * Creates an element: `h('p', { class: 'x', dataset: { id: 1 } }, 'text', child)`.
 * Strings and numbers become text nodes; attributes are set as attributes or properties.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
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

export function setText(id, text) {
  document.getElementById(id).textContent = text;
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
 * Calls `refresh` at `start()` and every `everyMs` until `stop()`: the dashboard's figures that
 * nothing pushes, asked for while the dashboard shows and not at all while it is hidden.
 */
export function every(everyMs, refresh) {
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
  };
  const start = () => {
    stop();
    refresh();
    timer = setInterval(refresh, everyMs);
  };
  return { start, stop, running: () => timer !== null };
}
