// The store's rules for what a shopper types, checked in the page exactly as the store checks
// them (src/domain/customer.rs, src/domain/password.rs), so a slip costs no request and what the
// page accepts the store accepts: lengths in characters (not UTF-16 units), Unicode's control
// characters and white space, a name and an email trimmed, a password not. Each rule gives ''
// when the value may be sent, else what to fix. Used by the checkout and the account forms.

const NAME_MAX = 200;
const EMAIL_MAX = 254;
const PASSWORD_MIN = 10;
const PASSWORD_MAX = 128;
/** Unicode's White_Space, which the store's trim and its email rule use. */
const SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const EDGES = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, 'gu');
const ANY_SPACE = new RegExp(`[${SPACE}]`, 'u');
const CONTROL = /\p{Cc}/u;

/** Trimmed as the store trims: Unicode white space at either end, and nothing else. */
export const trim = (v) => v.replace(EDGES, '');
const chars = (v) => [...v].length;

export function name(v) {
  const t = trim(v);
  if (!t) return 'Please enter your name.';
  if (chars(t) > NAME_MAX) return `Please use at most ${NAME_MAX} characters.`;
  if (CONTROL.test(t)) return 'Please remove special control characters.';
  return '';
}

/** `local@domain.tld`: one @, a dot in the domain, no empty label, none starting with '-'. */
export function email(v) {
  const t = trim(v);
  const refuse = 'Please enter an email like name@example.com.';
  if (chars(t) > EMAIL_MAX || ANY_SPACE.test(t) || CONTROL.test(t)) return refuse;
  const at = t.indexOf('@');
  if (at <= 0) return refuse;
  const domain = t.slice(at + 1);
  const labels = domain.split('.');
  const ok = !domain.includes('@') && labels.length > 1 && labels.every((l) => l !== '' && !l.startsWith('-'));
  return ok ? '' : refuse;
}

export function password(v) {
  if (!v) return 'Please enter your password.';
  if (chars(v) < PASSWORD_MIN) return `Passwords have at least ${PASSWORD_MIN} characters.`;
  if (chars(v) > PASSWORD_MAX) return `Passwords have at most ${PASSWORD_MAX} characters.`;
  if (CONTROL.test(v)) return 'Please remove special control characters.';
  return '';
}

/**
 * Checks `input` by `rule`, marks it (`aria-invalid`) and writes the reason into its error line
 * (`#<id>-error`); true when it may be sent.
 */
export function check(input, rule) {
  return showFieldError(input, rule(input.value));
}

export function showFieldError(input, message) {
  input.setAttribute('aria-invalid', String(Boolean(message)));
  document.getElementById(`${input.id}-error`).textContent = message;
  return !message;
}

/** Checks a field as it is left, and again on each keystroke once it was found wrong. */
export function checkAsTyped(input, rule) {
  input.addEventListener('blur', () => input.value && check(input, rule));
  input.addEventListener('input', () => input.getAttribute('aria-invalid') === 'true' && check(input, rule));
}
