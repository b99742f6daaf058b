// Audit: the admin changes from audit.log, newest first.
import { api } from './api.js';
import { el } from './format.js';
import { table } from './table.js';

export async function render(main) {
  const answer = await api('/admin/audit?limit=200');
  main.replaceChildren(el('h1', {}, 'Audit'),
    answer.note ? el('p', { class: 'hint' }, answer.note) : '',
    table([
      { key: 'time', label: 'time (server)' },
      { key: 'actor', label: 'who' },
      { key: 'action', label: 'action' },
      { key: 'target', label: 'target' },
      { key: 'after', label: 'after', render: (c) => el('code', {}, c.after) },
    ], answer.changes, { id: 'audit', sortKey: 'time', empty: 'No admin change recorded yet.' }));
}
