// The catalog page: search, category chips, sort, and a grid of cars with an Add button each.

import { api, cancelled } from './api.js';
import { showCartCount } from './cart-count.js';
import { categoryLabel, h, money, setText, toast } from './dom.js';

const SAVED_FILTERS = 'carstore.filters';
const filters = { category: '', q: '', sort: '' };
let requestSeq = 0;
/** The store's categories, as the server lists them; empty until it has answered. */
let categories = [];
/** The page's cancel signal while it shows. */
let page = null;

export function init() {
  Object.assign(filters, JSON.parse(localStorage.getItem(SAVED_FILTERS) || '{}'));
  const search = document.getElementById('search');
  const sort = document.getElementById('sort');
  search.value = filters.q;
  sort.value = filters.sort;
  let debounce;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => update({ q: search.value.trim() }), 200);
  });
  sort.addEventListener('change', () => update({ sort: sort.value }));
  document.getElementById('filters').addEventListener('submit', (e) => e.preventDefault());
  renderChips();
}

export function enter(params, signal) {
  page = signal;
  if (categories.length === 0) loadCategories();
  load();
}

/** The chips follow the catalog's categories; until they arrive, "All cars" is the only one. */
async function loadCategories() {
  try {
    categories = await api.categories({ signal: page });
  } catch {
    return; // tried again the next time the page is shown
  }
  renderChips();
}

function update(change) {
  Object.assign(filters, change);
  localStorage.setItem(SAVED_FILTERS, JSON.stringify(filters));
  renderChips();
  load();
}

function renderChips() {
  const chips = ['', ...categories].map((c) =>
    h('button', {
      type: 'button',
      class: 'chip',
      'aria-pressed': String(filters.category === c),
      onclick: () => update({ category: c }),
    }, c ? categoryLabel(c) : 'All cars'));
  document.getElementById('category-chips').replaceChildren(...chips);
}

async function load() {
  const seq = ++requestSeq;
  const grid = document.getElementById('car-grid');
  grid.setAttribute('aria-busy', 'true');
  try {
    const cars = await api.cars(filters, { signal: page });
    if (seq !== requestSeq) return; // a newer search already answered
    grid.replaceChildren(...cars.map(card));
    setText('result-count', cars.length === 0
      ? 'No cars match. Try another search or category.'
      : `${cars.length} ${cars.length === 1 ? 'car' : 'cars'}`);
  } catch (error) {
    if (seq !== requestSeq || cancelled(error)) return;
    grid.replaceChildren();
    setText('result-count', `The catalog could not be loaded: ${error.message}`);
  } finally {
    grid.removeAttribute('aria-busy');
  }
}

function card(car) {
  const title = `${car.make} ${car.model}`;
  const button = h('button', {
    type: 'button',
    class: 'button primary add',
    dataset: { carId: car.id, testid: `add-${car.id}` },
    'aria-label': `Add ${car.year} ${title} to cart`,
  }, 'Add to cart');
  button.addEventListener('click', () => add(car, button));
  return h('li', { class: 'car-card' },
    h('img', { src: car.image, alt: `${car.year} ${title}`, width: 320, height: 180, loading: 'lazy' }),
    h('div', { class: 'car-body' },
      h('div', { class: 'car-meta' },
        h('span', { class: 'tag' }, categoryLabel(car.category)),
        h('span', { class: 'year' }, car.year)),
      h('h2', { class: 'car-title' }, title),
      h('p', { class: 'car-desc' }, car.description),
      h('div', { class: 'car-buy' },
        h('span', { class: 'price' }, money(car.price_cents)),
        button)));
}

async function add(car, button) {
  button.disabled = true;
  try {
    const cart = await api.addToCart(car.id, 1);
    showCartCount(cart);
    button.textContent = 'Added ✓';
    button.classList.add('added');
    toast(`${car.year} ${car.make} ${car.model} added to your cart`);
    setTimeout(() => {
      button.textContent = 'Add to cart';
      button.classList.remove('added');
    }, 1600);
  } catch (error) {
    toast(error.message, 'error');
  } finally {
    button.disabled = false;
  }
}
