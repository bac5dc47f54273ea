// The Sign in / Create account dialog. Each field is checked as the shopper leaves it and again
// before anything is sent, by the store's own rules, so a slip costs no request (nor a failed
// sign-in that counts towards the limit). What the store still refuses is shown next to the field
// it concerns. The password is read from its field into the request body and nowhere else; the
// fields are emptied when the dialog closes, so it does not linger in the page either.

import { api } from './api.js';
import { modal, setText } from './dom.js';

const PASSWORD_MIN = 10;
const PASSWORD_MAX = 128;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
/** Lengths in characters, as the store counts them, not UTF-16 units. */
const length = (v) => [...v].length;

/** Each field's rule by its name; '' when the value may be sent. */
const RULES = {
  name: (v) => {
    if (!v.trim()) return 'Please enter your name.';
    if (length(v.trim()) > 200) return 'Please use at most 200 characters.';
    if (CONTROL.test(v)) return 'Please remove special control characters.';
    return '';
  },
  email: (v) => (EMAIL.test(v.trim()) ? '' : 'Please enter an email like name@example.com.'),
  password: (v) => {
    if (!v) return 'Please enter your password.';
    if (length(v) < PASSWORD_MIN) return `Passwords have at least ${PASSWORD_MIN} characters.`;
    if (length(v) > PASSWORD_MAX) return `Passwords have at most ${PASSWORD_MAX} characters.`;
    if (CONTROL.test(v)) return 'Please remove special control characters.';
    return '';
  },
};

/** The store's refusals that concern one field, by the field's name. */
const FIELD_OF = { invalid_name: 'name', invalid_email: 'email', email_taken: 'email', invalid_password: 'password' };

let dialog;
let onSignedIn;
const forms = {};

/** `signedIn(account, created)` is called with the store's answer once a form succeeds. */
export function init(signedIn) {
  onSignedIn = signedIn;
  const element = document.getElementById('account-dialog');
  dialog = modal(element);
  forms.signin = document.getElementById('signin-form');
  forms.signup = document.getElementById('signup-form');
  for (const [kind, form] of Object.entries(forms)) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit(kind);
    });
    for (const input of form.querySelectorAll('input')) {
      input.addEventListener('blur', () => input.value && validate(input));
      input.addEventListener('input', () => input.getAttribute('aria-invalid') === 'true' && validate(input));
    }
  }
  document.getElementById('show-signup').addEventListener('click', () => show('signup', true));
  document.getElementById('show-signin').addEventListener('click', () => show('signin', true));
  element.addEventListener('close', forgetPasswords);
}

/** Opens the dialog on the Sign in form; focus returns to `back()` when it closes. */
export function open(back) {
  for (const form of Object.values(forms)) clearErrors(form);
  show('signin', false);
  dialog.open(forms.signin.elements.email, back);
}

/** Shows one form and hides the other; an email typed in one is carried to the other. */
function show(kind, moveFocus) {
  const other = kind === 'signin' ? forms.signup : forms.signin;
  const form = forms[kind];
  if (!form.elements.email.value) form.elements.email.value = other.elements.email.value;
  other.elements.password.value = '';
  other.hidden = true;
  form.hidden = false;
  document.getElementById('account-dialog').setAttribute('aria-labelledby', `${kind}-title`);
  if (moveFocus) form.querySelector('input').focus();
}

function forgetPasswords() {
  for (const form of Object.values(forms)) form.elements.password.value = '';
}

function validate(input) {
  return showFieldError(input, RULES[input.name](input.value));
}

function showFieldError(input, message) {
  input.setAttribute('aria-invalid', String(Boolean(message)));
  setText(`${input.id}-error`, message);
  return !message;
}

function clearErrors(form) {
  for (const input of form.querySelectorAll('input')) showFieldError(input, '');
  setText(`${form.id.replace('-form', '')}-form-error`, '');
}

async function submit(kind) {
  const form = forms[kind];
  const inputs = [...form.querySelectorAll('input')];
  // Every field, not just up to the first bad one: the shopper sees all there is to fix.
  const valid = inputs.map(validate);
  if (!valid.every(Boolean)) {
    form.querySelector('[aria-invalid="true"]').focus();
    return;
  }
  setText(`${kind}-form-error`, '');
  const button = document.getElementById(`${kind}-submit`);
  button.disabled = true;
  const { name, email, password } = form.elements;
  try {
    const account = kind === 'signin'
      ? await api.signIn(email.value.trim(), password.value)
      : await api.signUp(name.value.trim(), email.value.trim(), password.value);
    form.reset();
    // Signed in first, so the control focus returns to (the shopper's name) is showing.
    onSignedIn(account, kind === 'signup');
    dialog.close();
  } catch (error) {
    refused(kind, error);
  } finally {
    button.disabled = false;
  }
}

/** Shows why the store said no, next to the field it concerns or above the buttons. */
function refused(kind, error) {
  const form = forms[kind];
  const field = FIELD_OF[error.code];
  if (field && form.elements[field]) {
    showFieldError(form.elements[field], error.message);
    form.elements[field].focus();
    return;
  }
  if (error.code === 'invalid_credentials') {
    // The shopper types the password again; the email is most likely right.
    form.elements.password.value = '';
    form.elements.password.focus();
  }
  const message = error.code === 'too_many_attempts' && error.retryAfter !== null
    ? `Too many sign-in attempts. Please try again in ${wait(error.retryAfter)}.`
    : error.message;
  setText(`${kind}-form-error`, message);
}

/** A Retry-After in words: "40 seconds", "1 minute", "15 minutes" (rounded up). */
function wait(seconds) {
  if (seconds < 60) return `${Math.max(seconds, 1)} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
