// The store's HTTP API, and nothing else: every call goes through `request`, which turns error
// answers into ApiError so pages can show the server's own message. The live feeds are opened
// here too, so every address the page uses is in this one file.

export class ApiError extends Error {
  /** `retryAfter`: whole seconds from a 429's Retry-After header, else null. */
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Fired on `window` when a dependency outage answers 503, so the page can say so plainly. */
export const OUTAGE_EVENT = 'carstore:outage';

/**
 * Sends one request. `probe`: the answer describes a service, and a 503 saying it is down is an
 * answer, not an error, so `{ ok, body }` comes back. `quiet`: a 503 is the caller's to show
 * (the dashboard's read-outs), so no shopper banner.
 */
async function request(method, path, { body, headers = {}, probe = false, quiet = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network_error', 'The store cannot be reached. Check your connection and try again.');
  }
  const data = await response.json().catch(() => null);
  if (probe) return { ok: response.ok, body: data ?? {} };
  if (!response.ok) {
    const message = data?.message ?? `Request failed (${response.status}).`;
    const wait = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    const error = new ApiError(response.status, data?.error ?? 'http_error', message, Number.isNaN(wait) ? null : wait);
    if (response.status === 503 && !quiet) window.dispatchEvent(new CustomEvent(OUTAGE_EVENT, { detail: error }));
    throw error;
  }
  return data;
}

export const api = {
  cars: ({ category = '', q = '', sort = '' } = {}) => {
    const params = new URLSearchParams();
    if (category) params.set('category', category);
    if (q) params.set('q', q);
    if (sort) params.set('sort', sort);
    const query = params.toString();
    return request('GET', `/api/cars${query ? `?${query}` : ''}`);
  },
  categories: () => request('GET', '/api/categories'),
  cart: () => request('GET', '/api/cart'),
  addToCart: (carId, quantity = 1) => request('POST', '/api/cart', { body: { car_id: carId, quantity } }),
  setQuantity: (carId, quantity) => request('PUT', `/api/cart/${carId}`, { body: { quantity } }),
  removeLine: (carId) => request('DELETE', `/api/cart/${carId}`),
  clearCart: () => request('DELETE', '/api/cart'),
  checkout: (customer, idempotencyKey) =>
    request('POST', '/api/checkout', { body: customer, headers: { 'Idempotency-Key': idempotencyKey } }),
  order: (id) => request('GET', `/api/orders/${id}`),
  orders: () => request('GET', '/api/orders'),
  services: () => request('GET', '/api/services'),
  replicas: () => request('GET', '/api/replicas', { quiet: true }),
  audit: () => request('GET', '/api/audit'),
  login: (token) => request('POST', '/api/admin/login', { body: { token } }),
  logout: () => request('POST', '/api/admin/logout'),
  startLoad: (body) => request('POST', '/api/load', { body }),
  stopLoad: () => request('DELETE', '/api/load'),
  control: (service, action) => request('POST', `/api/service/${service}/${action}`),
  status: (service) => request('GET', `/api/status/${service}`, { probe: true }),
  queues: () => request('GET', '/api/queues', { quiet: true }),
  // Faults on purpose (admin only). `quiet`: a 503 from a drill is not a shopper's banner.
  faults: () => request('GET', '/api/faults', { quiet: true }),
  setFault: (target, kind, body) => request('PUT', `/api/faults/${target}/${kind}`, { body, quiet: true }),
  clearFault: (target, kind) => request('DELETE', `/api/faults/${target}/${kind}`, { quiet: true }),
  clearFaults: () => request('DELETE', '/api/faults', { quiet: true }),
  // Guided scenarios: the list is public, runs are the admin's. `quiet`: a drill's 503s are not a
  // shopper's banner.
  scenarios: () => request('GET', '/api/scenarios'),
  scenarioRun: () => request('GET', '/api/scenarios/run', { quiet: true }),
  startScenario: (name, auto) => request('POST', `/api/scenarios/${encodeURIComponent(name)}/run`, { body: { auto }, quiet: true }),
  pressScenarioStep: () => request('POST', '/api/scenarios/run/next', { quiet: true }),
  abandonScenario: () => request('DELETE', '/api/scenarios/run', { quiet: true }),
  // Shopper accounts. The password travels only in these bodies: never in an address or storage.
  // `account` is quiet: the header asks on every page, and a 503 there is not worth a banner.
  account: () => request('GET', '/api/account', { quiet: true }),
  signUp: (name, email, password) => request('POST', '/api/account', { body: { name, email, password } }),
  signIn: (email, password) => request('POST', '/api/session', { body: { email, password } }),
  signOut: () => request('DELETE', '/api/session'),
  signOutEverywhere: () => request('DELETE', '/api/account/sessions'),
  sessions: () => request('GET', '/api/account/sessions'),
  endSession: (id) => request('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`),
  shoppers: () => request('GET', '/api/shoppers', { quiet: true }),
  /** The live feed: health, order and load events. The caller closes it. */
  events: () => new EventSource('/api/events'),
  /** One service's log lines, live (admin only). The caller closes it. */
  logLines: (service) => new EventSource(`/api/service/${service}/logs?tail=200`),
};
