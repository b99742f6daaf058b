// Requests: the per-request records with filters and CSV export; opening one shows its routing trace.
import { api } from './api.js';
import { el, num, money, ms, time } from './format.js';
import { table } from './table.js';

const filters = { key: '', account: '', since: '1h', until: '', limit: '100' };

function query(extra = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) q.set(k, v);
  return q.toString();
}

function trace(r) {
  return el('div', { class: 'card', id: 'trace' },
    el('h2', {}, `Request ${r.id}`),
    el('p', {}, `${time(r.time)} · ${r.keyName} · ${r.client} · ${r.inbound} · ${r.model} · HTTP ${r.status} · ${r.end}`
      + (r.errorKind ? ` (${r.errorKind})` : '')),
    el('h2', {}, 'Routing: accounts offered, in the scheduler\'s order, and passed over'),
    table([
      { key: 'order', label: '#', num: true },
      { key: 'account', label: 'account' },
      { key: 'skipped', label: 'decision', render: (c) => (c.skipped
        ? el('span', {}, el('span', { class: 'badge warn' }, 'skipped'), ` ${c.skipped}`)
        : el('span', { class: 'badge ok' }, 'offered')) },
    ], (r.candidates || []).map((c, i) => ({ ...c, order: i + 1 })),
    { empty: 'The scheduler did not record its candidates for this request.', rowKey: 'account', sortKey: 'order', descending: false }),
    el('h2', {}, 'Attempts'),
    table([
      { key: 'account', label: 'account' },
      { key: 'status', label: 'status', num: true },
      { key: 'durationMs', label: 'duration', num: true, render: (a) => ms(a.durationMs) },
      { key: 'inputTokens', label: 'input', num: true, render: (a) => num(a.inputTokens) },
      { key: 'outputTokens', label: 'output', num: true, render: (a) => num(a.outputTokens) },
      { key: 'error', label: 'error', render: (a) => a.error || '' },
    ], r.attempts || [], { empty: 'No upstream attempt: the gateway answered this request itself.' }));
}

export async function render(main) {
  const form = el('form', { class: 'toolbar', id: 'request-filters' },
    ...['key', 'account', 'since', 'until', 'limit'].map((name) => el('div', {},
      el('label', { for: `f-${name}` }, name), el('input', { id: `f-${name}`, name, value: filters[name], size: 12 }))),
    el('button', { type: 'submit' }, 'Filter'));
  const detail = el('div');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const name of Object.keys(filters)) filters[name] = form.elements[name].value.trim();
    render(main);
  });
  let answer;
  try {
    answer = await api(`/admin/requests?${query()}`);
  } catch (e) {
    if (e.status === 404) {
      main.replaceChildren(el('h1', {}, 'Requests'), el('div', { class: 'empty card', id: 'no-ledger' },
        'This gateway does not keep per-request records yet; usage per key, account and model is on the overview.'));
      return;
    }
    throw e;
  }
  const csv = el('a', { href: `/admin/requests?${query({ format: 'csv' })}`, download: 'requests.csv', id: 'csv' }, 'Export CSV');
  const list = table([
    { key: 'time', label: 'time', render: (r) => time(r.time) },
    { key: 'keyName', label: 'key' },
    { key: 'client', label: 'client' },
    { key: 'model', label: 'model' },
    { key: 'account', label: 'account', sort: (r) => (r.attempts && r.attempts.length ? r.attempts[r.attempts.length - 1].account : ''),
      render: (r) => (r.attempts || []).map((a) => a.account).join(' → ') },
    { key: 'attempts', label: 'attempts', num: true, sort: (r) => (r.attempts || []).length, render: (r) => num((r.attempts || []).length) },
    { key: 'status', label: 'status', num: true },
    { key: 'tokens', label: 'tokens in / out', num: true, sort: (r) => r.inputTokens + r.outputTokens,
      render: (r) => `${num(r.inputTokens)} / ${num(r.outputTokens)}` },
    { key: 'costUsd', label: 'cost', num: true, render: (r) => money(r.costUsd) },
    { key: 'durationMs', label: 'duration', num: true, render: (r) => ms(r.durationMs) },
  ], answer.requests, { id: 'requests', rowKey: 'id', sortKey: 'time', onRow: (r) => { detail.replaceChildren(trace(r)); detail.scrollIntoView(); },
    empty: 'No requests match: widen the time span, or send one through the gateway with a key.' });
  main.replaceChildren(el('h1', {}, 'Requests'), form, csv, list, detail);
}
