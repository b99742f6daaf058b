// Keys: create with every rule the CLI has, see the secret once, disable/enable, rotate, edit rules, usage vs limits.
import { api } from './api.js';
import { el, num, money, time, until, bar, flash, amount } from './format.js';
import { table } from './table.js';

const RULES = [
  ['concurrency', 'Requests at once', 'number'],
  ['requests', 'Requests per window', 'number'], ['requestWindow', 'Request window (e.g. 1m)', 'text'],
  ['tokens', 'Tokens per window', 'number'], ['tokenWindow', 'Token window (e.g. 1h)', 'text'],
  ['dailyCostUsd', 'Cost per day (USD)', 'number'], ['weeklyCostUsd', 'Cost per week (USD)', 'number'],
  ['totalCostUsd', 'Total cost (USD)', 'number'],
  ['models', 'Only these models (comma separated)', 'text'], ['denyModels', 'Never these models', 'text'],
  ['clients', 'Only these clients (claude-code, codex, other)', 'text'],
  ['expiresAt', 'Expires (YYYY-MM-DD)', 'date'], ['account', 'Only this account', 'text'],
  ['group', 'Only this account group', 'text'],
];

function ruleFields(prefix, rules = {}) {
  return el('div', { class: 'form-grid' }, ...RULES.map(([name, label, type]) => {
    let value = rules[name];
    if (Array.isArray(value)) value = value.join(',');
    if (name === 'expiresAt' && value) value = value.slice(0, 10);
    return el('div', {}, el('label', { for: `${prefix}-${name}` }, label),
      el('input', { id: `${prefix}-${name}`, name, type, step: type === 'number' ? 'any' : null, value: value ?? '' }));
  }));
}

function readRules(form) {
  const rules = {};
  for (const [name] of RULES) {
    const v = form.elements[name].value.trim();
    if (v !== '') rules[name] = v;
  }
  return rules;
}

function showSecret(container, key) {
  const secret = el('div', { class: 'secret', id: 'secret' }, key.secret);
  const copy = el('button', { type: 'button', class: 'secondary', id: 'copy-secret' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(key.secret);
      flash('Copied');
    } catch (e) {
      flash('Select the secret and copy it');
    }
  });
  container.replaceChildren(el('div', { class: 'card' },
    el('h2', {}, `Secret of ${key.name}, shown only this once`), secret, copy,
    el('p', { class: 'hint' }, 'Give it to its holder; they can see their usage at ', el('a', { href: '/me' }, '/me'), '.')));
}

function limitsCell(k) {
  if (!k.limits.length) return el('span', { class: 'muted' }, 'no limits');
  return el('div', {}, ...k.limits.map((l) => el('div', { 'data-limit': l.name },
    el('span', {}, `${l.name}: `),
    l.used != null
      ? [el('span', {}, `${amount(l.unit, l.used)} of ${amount(l.unit, l.limit)}`),
        bar(l.used, l.limit),
        l.resetsAt ? el('span', { class: 'muted' }, `resets ${time(l.resetsAt)} (${until(l.resetsAt)})`)
          : el('span', { class: 'muted' }, l.name === 'requests at once' ? 'in flight now' : 'never resets')]
      : el('span', {}, amount(l.unit, l.limit)))));
}

async function act(name, action, body) {
  return api(`/admin/keys/${encodeURIComponent(name)}/${action}`, { method: 'POST', body });
}

export async function render(main) {
  const answer = await api('/admin/keys');
  const secretBox = el('div');
  const form = el('form', { id: 'new-key', class: 'card' },
    el('h2', {}, 'New key'),
    el('label', { for: 'key-name' }, 'Name (letters, digits, . _ @ -)'),
    el('input', { id: 'key-name', name: 'name', required: true, autocomplete: 'off' }),
    el('details', {}, el('summary', {}, 'Rules (optional)'), ruleFields('new')),
    el('button', { type: 'submit', id: 'create-key' }, 'Create key'),
    el('p', { class: 'error', id: 'key-error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const key = await api('/admin/keys', { method: 'POST', body: { name: form.elements.name.value.trim(), rules: readRules(form) } });
      await render(main);
      showSecret(main.querySelector('#secret-box'), key);
    } catch (e) {
      form.querySelector('#key-error').textContent = e.message;
    }
  });
  secretBox.id = 'secret-box';
  const editor = el('div', { id: 'rules-editor' });
  const rows = answer.keys.map((k) => ({ ...k, requestsToday: k.today.requests, costToday: k.today.costUsd }));
  const list = table([
    { key: 'name', label: 'name' },
    { key: 'prefix', label: 'prefix', render: (k) => `${k.prefix}…` },
    { key: 'enabled', label: 'state', render: (k) => el('span', { class: k.enabled ? 'badge ok' : 'badge bad' }, k.enabled ? 'enabled' : 'disabled') },
    { key: 'requestsToday', label: 'requests today', num: true, render: (k) => num(k.requestsToday) },
    { key: 'costToday', label: 'cost today', num: true, render: (k) => money(k.costToday) },
    { key: 'limits', label: 'limits', sortable: false, render: limitsCell },
    { key: 'createdAt', label: 'created', render: (k) => time(k.createdAt) },
    { key: 'actions', label: '', sortable: false, render: (k) => el('div', {},
      el('button', { type: 'button', class: 'small secondary', 'data-action': k.enabled ? 'disable' : 'enable', 'data-key': k.name,
        onclick: async () => { await act(k.name, k.enabled ? 'disable' : 'enable'); flash(`${k.name} ${k.enabled ? 'disabled' : 'enabled'}`); render(main); } },
      k.enabled ? 'Disable' : 'Enable'),
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'rotate', 'data-key': k.name,
        onclick: async () => {
          if (!window.confirm(`Give ${k.name} a new secret? The old one stops working.`)) return;
          const rotated = await act(k.name, 'rotate');
          await render(main);
          showSecret(main.querySelector('#secret-box'), rotated);
        } }, 'Rotate'),
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'rules', 'data-key': k.name,
        onclick: () => editRules(main, editor, k) }, 'Rules')) },
  ], rows, { id: 'keys', sortKey: 'name', descending: false,
    empty: 'No keys yet: create one above and hand its secret to a teammate.' });
  main.replaceChildren(el('h1', {}, 'Keys'), secretBox, form, editor, list);
}

function editRules(main, editor, k) {
  const form = el('form', { class: 'card', id: 'edit-rules' }, el('h2', {}, `Rules of ${k.name}`), ruleFields('edit', k.rules),
    el('button', { type: 'submit' }, 'Save rules'), el('p', { class: 'error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await act(k.name, 'rules', readRules(form));
      flash(`Rules of ${k.name} saved`);
      render(main);
    } catch (e) {
      form.querySelector('.error').textContent = e.message;
    }
  });
  editor.replaceChildren(form);
  form.scrollIntoView();
}
