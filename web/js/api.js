// The store's HTTP API, and nothing else: every call goes through `request`, which turns error
// answers into ApiError so pages can show the server's own message. Every call has a time
// limit, and takes the page's cancel signal (`{ signal }`), so a page that is left stops asking.
// The live feed's address is built in feed.js, the one place that opens it.

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
/** How long any call may take before the page says the store is not answering. */
const TIMEOUT_MS = 10_000;

/** Whether `error` only says the page was left (nothing to show). */
export const cancelled = (error) => error?.code === 'cancelled';

/**
 * Sends one request. `probe`: the answer describes a service, and a 503 saying it is down is an
 * answer, not an error, so `{ ok, body }` comes back. `quiet`: a 503 is the caller's to show
 * (the dashboard's read-outs), so no shopper banner. `signal`: the page's; leaving it cancels.
 */
async function request(method, path, { body, headers = {}, probe = false, quiet = false, signal } = {}) {
  const limit = AbortSignal.timeout(TIMEOUT_MS);
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...headers },
    signal: signal ? AbortSignal.any([signal, limit]) : limit,
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw unanswered(signal, limit);
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

/** Why a request got no answer: the page was left, the time ran out, or the network failed. */
function unanswered(signal, limit) {
  if (signal?.aborted) return new ApiError(0, 'cancelled', 'Cancelled: the page was left.');
  if (limit.aborted) {
    return new ApiError(0, 'timeout', `The store did not answer within ${TIMEOUT_MS / 1000} seconds. Try again in a moment.`);
  }
  return new ApiError(0, 'network_error', 'The store cannot be reached. Check your connection and try again.');
}

const get = (path, o = {}) => request('GET', path, o);

export const api = {
  cars: ({ category = '', q = '', sort = '' } = {}, o = {}) => {
    const params = new URLSearchParams(Object.entries({ category, q, sort }).filter(([, v]) => v));
    const query = params.toString();
    return get(`/api/cars${query ? `?${query}` : ''}`, o);
  },
  categories: (o) => get('/api/categories', o),
  cart: (o) => get('/api/cart', o),
  addToCart: (carId, quantity = 1) => request('POST', '/api/cart', { body: { car_id: carId, quantity } }),
  setQuantity: (carId, quantity) => request('PUT', `/api/cart/${carId}`, { body: { quantity } }),
  removeLine: (carId) => request('DELETE', `/api/cart/${carId}`),
  clearCart: () => request('DELETE', '/api/cart'),
  checkout: (customer, idempotencyKey) =>
    request('POST', '/api/checkout', { body: customer, headers: { 'Idempotency-Key': idempotencyKey } }),
  order: (id, o) => get(`/api/orders/${id}`, o),
  orders: (o) => get('/api/orders', o),
  services: (o = {}) => get('/api/services', { ...o, quiet: true }),
  replicas: (o = {}) => get('/api/replicas', { ...o, quiet: true }),
  audit: (o = {}) => get('/api/audit', { ...o, quiet: true }),
  /** `{ admin }`: whether this browser holds the admin session. Touches no backing service. */
  adminState: (o = {}) => get('/api/admin', { ...o, quiet: true }),
  login: (token) => request('POST', '/api/admin/login', { body: { token } }),
  logout: () => request('POST', '/api/admin/logout'),
  startLoad: (body) => request('POST', '/api/load', { body }),
  stopLoad: () => request('DELETE', '/api/load'),
  control: (service, action) => request('POST', `/api/service/${service}/${action}`),
  status: (probe, o = {}) => get(`/api/status/${probe}`, { ...o, probe: true }),
  queues: (o = {}) => get('/api/queues', { ...o, quiet: true }),
  // Faults on purpose (admin only). `quiet`: a 503 from a drill is not a shopper's banner.
  faults: (o = {}) => get('/api/faults', { ...o, quiet: true }),
  setFault: (target, kind, body) => request('PUT', `/api/faults/${target}/${kind}`, { body, quiet: true }),
  clearFault: (target, kind) => request('DELETE', `/api/faults/${target}/${kind}`, { quiet: true }),
  clearFaults: () => request('DELETE', '/api/faults', { quiet: true }),
  // Guided scenarios: the list is public, runs are the admin's (followed on the live feed).
  scenarios: (o) => get('/api/scenarios', o),
  startScenario: (name, auto) => request('POST', `/api/scenarios/${encodeURIComponent(name)}/run`, { body: { auto }, quiet: true }),
  pressScenarioStep: () => request('POST', '/api/scenarios/run/next', { quiet: true }),
  abandonScenario: () => request('DELETE', '/api/scenarios/run', { quiet: true }),
  // Shopper accounts. The password travels only in these bodies: never in an address or storage.
  // `account` is quiet: the header asks on every page, and a 503 there is not worth a banner.
  account: () => get('/api/account', { quiet: true }),
  signUp: (name, email, password) => request('POST', '/api/account', { body: { name, email, password } }),
  signIn: (email, password) => request('POST', '/api/session', { body: { email, password } }),
  signOut: () => request('DELETE', '/api/session'),
  signOutEverywhere: () => request('DELETE', '/api/account/sessions'),
  sessions: () => get('/api/account/sessions'),
  endSession: (id) => request('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`),
  shoppers: (o = {}) => get('/api/shoppers', { ...o, quiet: true }),
};
