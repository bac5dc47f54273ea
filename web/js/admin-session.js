// The admin session, one for every page: whether this browser holds it (asked of the store, which
// touches no backing service to answer, so a drill that stops the database does not sign anyone
// out), signing in with the token and out, and the sign-in forms of the Dashboard and the
// Scenarios page. A 401 from any admin call means the session ended: `ended()` says so.

import { api, cancelled } from './api.js';

/** True or false once known; null before the store has answered. */
let admin = null;
const listeners = new Set();

export const isAdmin = () => admin === true;

/** Calls `fn(admin)` on every change until `signal` is aborted. */
export function onChange(fn, signal) {
  listeners.add(fn);
  signal.addEventListener('abort', () => listeners.delete(fn), { once: true });
}

function set(now) {
  if (admin === now) return;
  admin = now;
  for (const fn of [...listeners]) fn(admin);
}

/** Asks the store and resolves to the answer; a page left meanwhile gets null and changes nothing. */
export async function check(signal) {
  try {
    const { admin: now } = await api.adminState({ signal });
    set(now);
    return now;
  } catch (error) {
    if (cancelled(error)) return null;
    return admin; // not answering: what was known stands
  }
}

/** An admin call answered 401: the session ended (expired, or signed out elsewhere). */
export function ended(error) {
  if (error?.status === 401) set(false);
}

export async function signIn(token) {
  await api.login(token);
  set(true);
}

export async function signOut() {
  await api.logout().catch(() => {});
  set(false);
}

/**
 * Wires a sign-in form once: `{ form, input, button, error }` are element ids. On a refusal the
 * store's reason is shown in `error` (a 429 says when to try again).
 */
export function wireForm({ form, input, error }) {
  document.getElementById(form).addEventListener('submit', async (e) => {
    e.preventDefault();
    const field = document.getElementById(input);
    const message = document.getElementById(error);
    try {
      await signIn(field.value.trim());
      field.value = '';
      message.textContent = '';
    } catch (refusal) {
      message.textContent = refusal.code === 'too_many_attempts'
        ? `Not signed in: ${refusal.message}.`
        : 'That token was not accepted.';
    }
  });
}

/**
 * A sign-in link's token is put in the form for the admin to send with one press, never sent on
 * its own (a link on any page could otherwise make this browser try tokens).
 */
export function offer(token, input, button) {
  document.getElementById(input).value = token;
  document.getElementById(button).focus();
}
