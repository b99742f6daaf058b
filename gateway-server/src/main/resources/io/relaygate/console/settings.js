// Managed settings: the Claude Code managed-settings.json each group's signed-in people receive (GET /managed/settings),
// with * for everyone whose groups have none. List, view, create, edit (a JSON object), delete.
import { api } from './api.js';
import { el, time, flash } from './format.js';
import { table } from './table.js';

const EXAMPLE = '{\n  "permissions": {\n    "deny": ["WebFetch"]\n  }\n}';

/** The textarea's text as a JSON object, or an error message that says what is wrong. */
export function parseSettings(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `Not valid JSON: ${e.message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `The settings must be a JSON object ({…}), not ${Array.isArray(value) ? 'an array' : String(value === null ? 'null' : typeof value)}.` };
  }
  return { value };
}

function groupLabel(s) {
  return s.everyone ? el('span', {}, '* ', el('span', { class: 'muted' }, '(everyone else)')) : s.group;
}

function editor(main, entry) {
  const error = el('p', { class: 'error', id: 'settings-error', role: 'alert' });
  const group = el('input', { id: 'settings-group', name: 'group', required: true, autocomplete: 'off',
    value: entry ? entry.group : '', readonly: entry ? true : null });
  const json = el('textarea', { id: 'settings-json', name: 'settings', rows: 12, spellcheck: 'false' },
    entry ? JSON.stringify(entry.settings, null, 2) : EXAMPLE);
  const form = el('form', { id: 'settings-form', class: 'card' },
    el('h2', {}, entry ? `Edit the settings of ${entry.group}` : 'New settings'),
    el('label', { for: 'settings-group' }, 'Group (as in the people\'s groups; * for everyone whose groups have none)'),
    group,
    el('label', { for: 'settings-json' }, 'managed-settings.json (a JSON object)'),
    json,
    el('button', { type: 'submit', id: 'save-settings' }, entry ? 'Save' : 'Create'),
    entry ? el('button', { type: 'button', class: 'secondary', id: 'cancel-settings',
      onclick: () => render(main) }, 'Cancel') : '',
    error);
  json.addEventListener('input', () => { error.textContent = ''; });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parsed = parseSettings(json.value);
    if (parsed.error) {
      error.textContent = parsed.error;
      return;
    }
    try {
      const saved = await api('/admin/settings', { method: 'POST',
        body: { group: group.value.trim(), settings: parsed.value } });
      flash(`Settings of ${saved.group} saved (${saved.checksum.slice(0, 19)}…)`);
      await render(main);
    } catch (e) {
      error.textContent = `The gateway refused the settings: ${e.message}`;
    }
  });
  return form;
}

function viewer(entry) {
  return el('div', { class: 'card', id: 'settings-view' },
    el('h2', {}, `Settings of ${entry.group}`),
    el('p', { class: 'hint' }, 'checksum ', el('code', {}, entry.checksum)),
    el('pre', {}, JSON.stringify(entry.settings, null, 2)));
}

export async function render(main) {
  const answer = await api('/admin/settings');
  const box = el('div', { id: 'settings-box' });
  const showEditor = (entry) => {
    box.replaceChildren(editor(main, entry));
    box.querySelector('#settings-json').focus();
  };
  const list = table([
    { key: 'group', label: 'group', render: groupLabel },
    { key: 'checksum', label: 'checksum', sortable: false, render: (s) => el('code', {}, s.checksum) },
    { key: 'changedAt', label: 'last change', render: (s) => (s.changedAt
      ? el('span', {}, time(s.changedAt), el('br'), el('span', { class: 'muted' }, s.changedBy))
      : el('span', { class: 'muted' }, 'before the console recorded it')) },
    { key: 'actions', label: '', sortable: false, render: (s) => el('div', {},
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'view', 'data-group': s.group,
        onclick: () => box.replaceChildren(viewer(s)) }, 'View'),
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'edit', 'data-group': s.group,
        onclick: () => showEditor(s) }, 'Edit'),
      el('button', { type: 'button', class: 'small danger', 'data-action': 'delete', 'data-group': s.group,
        onclick: async () => {
          if (!window.confirm(`Delete the settings of ${s.group}? Its people get the * settings, or none.`)) return;
          try {
            await api('/admin/settings/remove', { method: 'POST', body: { group: s.group } });
            flash(`Settings of ${s.group} deleted`);
            await render(main);
          } catch (e) {
            flash(e.message);
          }
        } }, 'Delete')) },
  ], answer.settings, { id: 'settings', rowKey: 'group', sortKey: 'group', descending: false,
    empty: 'No managed settings yet: signed-in Claude Code clients get none. Create some below.' });
  box.replaceChildren(editor(main, null));
  main.replaceChildren(el('h1', {}, 'Managed settings'),
    el('p', { class: 'hint' }, 'Signed-in Claude Code clients fetch their settings about once an hour: a person gets '
      + 'those of their first group that has some, else those of *.'),
    list, box);
}
