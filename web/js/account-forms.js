// The Sign in / Create account dialog. Each field is checked as the shopper leaves it and again
// before anything is sent, by the store's own rules, so a slip costs no request (nor a failed
// sign-in that counts towards the limit). What the store still refuses is shown next to the field
// it concerns. The password is read from its field into the request body and nowhere else; the
// fields are emptied when the dialog closes, so it does not linger in the page either.

import { api } from './api.js';
import { modal, setText } from './dom.js';
import * as rules from './rules.js';

/** Each field's rule by its name: the store's own (rules.js). */
const RULES = { name: rules.name, email: rules.email, password: rules.password };

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
    for (const input of form.querySelectorAll('input')) rules.checkAsTyped(input, RULES[input.name]);
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

const validate = (input) => rules.check(input, RULES[input.name]);
const showFieldError = rules.showFieldError;

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
      ? await api.signIn(rules.trim(email.value), password.value)
      : await api.signUp(rules.trim(name.value), rules.trim(email.value), password.value);
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
