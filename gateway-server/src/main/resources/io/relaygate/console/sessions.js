// Sessions: the live Claude Code sign-ins (of everyone, or of one person: #/sessions/<name>); revoke one.
import { api } from './api.js';
import { el, time, flash } from './format.js';
import { table } from './table.js';

export async function render(main, [person] = []) {
  const query = person ? `?person=${encodeURIComponent(person)}` : '';
  const answer = await api(`/admin/sessions${query}`);
  const list = table([
    { key: 'person', label: 'person' },
    { key: 'client', label: 'client' },
    { key: 'address', label: 'from' },
    { key: 'createdAt', label: 'signed in', render: (s) => time(s.createdAt) },
    { key: 'expiresAt', label: 'ends', render: (s) => time(s.expiresAt) },
    { key: 'refreshes', label: 'refreshes', num: true },
    { key: 'actions', label: '', sortable: false, render: (s) => el('button', {
      type: 'button', class: 'small secondary', 'data-action': 'revoke', 'data-session': s.id,
      onclick: async () => {
        if (!window.confirm(`End ${s.person}'s sign-in from ${s.address}? Claude Code asks them to /login again.`)) return;
        await api(`/admin/sessions/${encodeURIComponent(s.id)}/revoke`, { method: 'POST' });
        flash('Session ended');
        render(main, person ? [person] : []);
      } }, 'Revoke') },
  ], answer.sessions, { id: 'sessions', rowKey: 'id', sortKey: 'createdAt',
    empty: person ? `${person} has no live sign-in.` : 'Nobody is signed in.' });
  main.replaceChildren(el('h1', {}, person ? `Sessions of ${person}` : 'Sessions'),
    person ? el('p', {}, el('a', { href: '#/sessions' }, 'All sessions')) : '', list);
}
