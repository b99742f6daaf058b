// People: who signs in with Claude Code's /login. Add one, make a one-time sign-in link (shown once), disable.
import { api } from './api.js';
import { el, time, flash } from './format.js';
import { table } from './table.js';

function showLink(container, answer) {
  const link = el('div', { class: 'secret', id: 'link' }, answer.link);
  const copy = el('button', { type: 'button', class: 'secondary', id: 'copy-link' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(answer.link);
      flash('Copied');
    } catch (e) {
      flash('Select the link and copy it');
    }
  });
  container.replaceChildren(el('div', { class: 'card' },
    el('h2', {}, `Sign-in link of ${answer.person}, shown only this once`), link, copy,
    el('p', { class: 'hint' }, 'It works once. The person opens it when Claude Code shows its code.')));
}

export async function render(main) {
  const answer = await api('/admin/people');
  const linkBox = el('div', { id: 'link-box' });
  const form = el('form', { id: 'new-person', class: 'card' },
    el('h2', {}, 'New person'),
    el('label', { for: 'person-name' }, 'Name (letters, digits, . _ @ -)'),
    el('input', { id: 'person-name', name: 'name', required: true, autocomplete: 'off' }),
    el('label', { for: 'person-email' }, 'E-mail (optional)'),
    el('input', { id: 'person-email', name: 'email', type: 'email', autocomplete: 'off' }),
    el('label', { for: 'person-groups' }, 'Groups (comma separated, optional)'),
    el('input', { id: 'person-groups', name: 'groups', autocomplete: 'off' }),
    el('button', { type: 'submit', id: 'add-person' }, 'Add person'),
    el('p', { class: 'error', id: 'person-error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const groups = form.elements.groups.value.split(',').map((g) => g.trim()).filter((g) => g);
    try {
      const p = await api('/admin/people', { method: 'POST',
        body: { name: form.elements.name.value.trim(), email: form.elements.email.value.trim(), groups } });
      flash(`${p.name} added`);
      await render(main);
    } catch (e) {
      form.querySelector('#person-error').textContent = e.message;
    }
  });
  const list = table([
    { key: 'name', label: 'name' },
    { key: 'email', label: 'e-mail', render: (p) => p.email || el('span', { class: 'muted' }, '—') },
    { key: 'groups', label: 'groups', sortable: false, render: (p) => p.groups.join(', ') },
    { key: 'subject', label: 'single sign-on', render: (p) => (p.subject ? 'yes' : el('span', { class: 'muted' }, 'no')) },
    { key: 'enabled', label: 'state', render: (p) => el('span', { class: p.enabled ? 'badge ok' : 'badge bad' }, p.enabled ? 'enabled' : 'disabled') },
    { key: 'key', label: 'key' },
    { key: 'createdAt', label: 'added', render: (p) => time(p.createdAt) },
    { key: 'actions', label: '', sortable: false, render: (p) => (p.enabled ? el('div', {},
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'link', 'data-person': p.name,
        onclick: async () => {
          try {
            const made = await api(`/admin/people/${encodeURIComponent(p.name)}/link`,
              { method: 'POST', body: { url: window.location.origin } });
            showLink(linkBox, made);
          } catch (e) {
            flash(e.message);
          }
        } }, 'Sign-in link'),
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'disable', 'data-person': p.name,
        onclick: async () => {
          if (!window.confirm(`Disable ${p.name}? Their key stops working and their sessions end.`)) return;
          await api(`/admin/people/${encodeURIComponent(p.name)}/disable`, { method: 'POST' });
          flash(`${p.name} disabled`);
          render(main);
        } }, 'Disable'),
      el('a', { class: 'small', href: `#/sessions/${encodeURIComponent(p.name)}` }, 'Sessions')) : '') },
  ], answer.people, { id: 'people', sortKey: 'name', descending: false,
    empty: 'No people yet: add one above, or let them sign in with your identity provider.' });
  main.replaceChildren(el('h1', {}, 'People'), linkBox, form, list);
}
