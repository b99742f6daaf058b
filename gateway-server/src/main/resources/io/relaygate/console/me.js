// The key holder's page: usage by day and by model, each limit with what is left and when it resets, the key's
// latest requests, and the client setup snippets with this gateway's URL. The key stays in this tab (sessionStorage) and goes only to /me/api.
import { api } from './api.js';
import { el, num, money, tokens, time, until, bar, ms, amount } from './format.js';
import { table } from './table.js';
import { lineChart } from './chart.js';

const main = document.getElementById('me-main');
const form = document.getElementById('me-form');
const input = document.getElementById('me-key');

function snippets(key) {
  const base = window.location.origin;
  const shown = key ? `${key.slice(0, 8)}…` : 'rg_…';
  return el('div', { class: 'card', id: 'setup' }, el('h2', {}, 'Set up your client'),
    el('p', {}, 'Claude Code:'),
    el('pre', {}, `export ANTHROPIC_BASE_URL=${base}/api\nexport ANTHROPIC_AUTH_TOKEN=${shown}   # your full key\nclaude`),
    el('p', {}, 'Codex CLI (~/.codex/config.toml):'),
    el('pre', {}, `model_provider = "relaygate"\n\n[model_providers.relaygate]\nname = "Relaygate"\nbase_url = "${base}/openai/v1"\nenv_key = "RELAYGATE_API_KEY"\nwire_api = "responses"`),
    el('p', {}, 'Anthropic SDK (Python):'),
    el('pre', {}, `from anthropic import Anthropic\nclient = Anthropic(base_url="${base}", api_key="${shown}")`),
    el('p', {}, 'OpenAI SDK (Python):'),
    el('pre', {}, `from openai import OpenAI\nclient = OpenAI(base_url="${base}/openai/v1", api_key="${shown}")`));
}

async function show(key) {
  const error = document.getElementById('me-error');
  error.textContent = '';
  let me;
  try {
    me = await api('/me/api', { key, onUnauthorized: false });
  } catch (e) {
    error.textContent = e.message;
    sessionStorage.removeItem('relaygate-key');
    return;
  }
  sessionStorage.setItem('relaygate-key', key);
  document.getElementById('me-login').hidden = true;
  const k = me.key;
  const limits = me.limits.length ? me.limits.map((l) => el('div', { class: 'card', 'data-limit': l.name },
    el('h2', {}, l.name),
    l.used != null
      ? [el('p', {}, `${amount(l.unit, l.left)} left of ${amount(l.unit, l.limit)}`), bar(l.used, l.limit),
        l.resetsAt ? el('p', { class: 'muted' }, `resets ${time(l.resetsAt)} (${until(l.resetsAt)})`)
          : el('p', { class: 'muted' }, l.name === 'requests at once' ? `${num(l.used)} in flight now` : 'does not reset')]
      : el('p', {}, amount(l.unit, l.limit)))) : [el('p', { class: 'muted' }, 'Your key has no usage limits.')];
  const signOut = el('button', { type: 'button', class: 'secondary', id: 'me-forget' }, 'Forget my key in this tab');
  signOut.addEventListener('click', () => { sessionStorage.removeItem('relaygate-key'); window.location.reload(); });
  main.replaceChildren(
    el('h1', { id: 'me-name' }, `Key ${k.name}`),
    el('p', {}, el('span', { class: k.enabled ? 'badge ok' : 'badge bad', id: 'me-state' }, k.enabled ? 'enabled' : 'disabled'),
      ` ${k.prefix}… · created ${time(k.createdAt)}`, k.expiresAt ? ` · expires ${time(k.expiresAt)}` : ''),
    k.rules.length ? el('p', { class: 'muted' }, k.rules.join(' · ')) : '',
    el('div', { class: 'grid' },
      el('div', { class: 'card stat' }, el('div', { class: 'value', id: 'me-requests' }, num(me.total.requests)), el('div', { class: 'label' }, 'requests in all')),
      el('div', { class: 'card stat' }, el('div', { class: 'value' }, tokens(me.total.inputTokens + me.total.outputTokens)), el('div', { class: 'label' }, 'tokens in all')),
      el('div', { class: 'card stat' }, el('div', { class: 'value' }, money(me.total.costUsd)), el('div', { class: 'label' }, 'cost in all'))),
    el('h2', {}, 'Limits'), el('div', { class: 'grid2', id: 'me-limits' }, ...limits),
    lineChart('Requests per day (UTC)', me.days.map((d) => `${d.day}T00:00:00Z`), [{ label: 'requests', values: me.days.map((d) => d.requests) }], num),
    table([
      { key: 'day', label: 'day (UTC)' },
      { key: 'requests', label: 'requests', num: true, render: (d) => num(d.requests) },
      { key: 'errors', label: 'errors', num: true, render: (d) => num(d.errors) },
      { key: 'tokens', label: 'tokens', num: true, sort: (d) => d.inputTokens + d.outputTokens, render: (d) => tokens(d.inputTokens + d.outputTokens) },
      { key: 'costUsd', label: 'cost', num: true, render: (d) => money(d.costUsd) },
    ], me.days.filter((d) => d.requests > 0), { id: 'me-days', rowKey: 'day', sortKey: 'day', empty: 'No requests in the last 14 days: set up a client below.' }),
    el('h2', {}, 'By model (last 14 days)'),
    requestsTable(me, table([
      { key: 'model', label: 'model' },
      { key: 'requests', label: 'requests', num: true, render: (m) => num(m.requests) },
      { key: 'errors', label: 'errors', num: true, render: (m) => num(m.errors) },
      { key: 'tokens', label: 'tokens', num: true, sort: (m) => m.inputTokens + m.outputTokens, render: (m) => tokens(m.inputTokens + m.outputTokens) },
      { key: 'costUsd', label: 'cost', num: true, render: (m) => money(m.costUsd) },
    ], me.models || [], { id: 'me-models', rowKey: 'model', sortKey: 'costUsd', empty: 'No requests in the last 14 days: set up a client below.' })),
    el('h2', {}, 'Latest requests'),
    requestsTable(me, table([
      { key: 'time', label: 'time', render: (r) => time(r.time) },
      { key: 'client', label: 'client' },
      { key: 'model', label: 'model', render: (r) => r.model || '–' },
      { key: 'status', label: 'status', num: true, render: (r) => el('span', { class: r.status >= 400 || r.status === 0 ? 'badge bad' : 'badge ok' }, r.status || 'left') },
      { key: 'tokens', label: 'tokens', num: true, sort: (r) => r.inputTokens + r.outputTokens, render: (r) => tokens(r.inputTokens + r.outputTokens) },
      { key: 'costUsd', label: 'cost', num: true, render: (r) => money(r.costUsd) },
      { key: 'durationMs', label: 'duration', num: true, render: (r) => ms(r.durationMs) },
    ], me.recent || [], { id: 'me-recent', rowKey: 'time', sortKey: 'time', empty: 'No requests yet: set up a client below and send one.' })),
    snippets(key), signOut);
}

function requestsTable(me, t) {
  return me.requestsKept === false
    ? el('p', { class: 'muted' }, 'This gateway keeps no per-request records, so only the daily totals above are shown.')
    : t;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(input.value.trim());
  input.value = '';
});

const saved = sessionStorage.getItem('relaygate-key');
if (saved) show(saved);
