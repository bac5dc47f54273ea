// "Your devices": every session the account has, with its coarse device label and when it began,
// so a shopper can end one left signed in on a shared or lost device. The list is read when the
// dialog opens, and again after each End, since other devices sign in and out meanwhile.

import { api } from './api.js';
import { h, modal, setText, toast } from './dom.js';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
let dialog;
/** From the account module: sign this device out; ask the store who is signed in. */
let actions;

export function init({ signOut, refresh }) {
  actions = { signOut, refresh };
  dialog = modal(document.getElementById('devices-dialog'));
}

export function open(back) {
  document.getElementById('devices-list').replaceChildren(h('li', { class: 'muted' }, 'Loading…'));
  setText('devices-error', '');
  dialog.open(document.getElementById('devices-title'), back);
  load();
}

async function load() {
  let sessions;
  try {
    sessions = await api.sessions();
  } catch (error) {
    if (error.status === 401) {
      // This session was ended from another device meanwhile: the header catches up.
      dialog.close();
      actions.refresh();
      return;
    }
    setText('devices-error', error.message);
    return;
  }
  // This device first, then the newest: the one a shopper looks for is usually recent.
  sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.created_at.localeCompare(a.created_at));
  document.getElementById('devices-list').replaceChildren(...sessions.map(row));
}

function row(session) {
  const started = new Date(session.created_at);
  return h('li', { class: 'device', dataset: { current: String(session.current), testid: 'device' } },
    h('div', {},
      h('p', { class: 'device-name' }, session.device || 'Unknown device',
        session.current ? h('span', { class: 'tag this-device' }, 'This device') : null),
      h('p', { class: 'muted' }, 'Signed in ', h('time', { datetime: session.created_at }, when.format(started)))),
    h('button', {
      type: 'button',
      class: 'button ghost small',
      'aria-label': session.current ? 'Sign out on this device' : `End the session on ${session.device} from ${when.format(started)}`,
      onclick: (e) => end(session, e.currentTarget),
    }, session.current ? 'Sign out' : 'End'));
}

async function end(session, button) {
  if (session.current) {
    // Signing this device out is a sign-out: the page becomes a guest's at once.
    dialog.close();
    actions.signOut();
    return;
  }
  button.disabled = true;
  try {
    await api.endSession(session.id);
    toast(`Signed out on ${session.device}.`);
  } catch (error) {
    // Already gone (it ended itself, or another device ended it) is what was wanted.
    if (error.code !== 'session_not_found') setText('devices-error', error.message);
  }
  await load();
  // The row that had focus is gone: the dialog's title keeps the shopper inside it.
  document.getElementById('devices-title').focus();
}
