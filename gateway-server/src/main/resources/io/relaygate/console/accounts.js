// Accounts: state, why, until when, quota headroom per upstream window; resume; connection test; add every kind,
// with the Claude and ChatGPT sign-ins (open the authorize URL, paste the code or address back), a Codex auth.json
// import, extra headers, and an edit form (account-settings.js).
import { api } from './api.js';
import { editForm, headersField, headerNames, parseHeaders } from './account-settings.js';
import { el, time, until, flash } from './format.js';
import { table } from './table.js';
import { CLOUD_KINDS, cloudKindChanged, cloudBody } from './cloud-forms.js';

const KINDS = ['anthropic-api', 'claude-oauth', 'openai-api', 'codex-oauth', 'azure-openai', 'openai-compatible'];
const DEFAULT_URLS = {
  'anthropic-api': 'https://api.anthropic.com', 'claude-oauth': 'https://api.anthropic.com',
  'openai-api': 'https://api.openai.com', 'codex-oauth': 'https://chatgpt.com/backend-api/codex',
  'azure-openai': 'https://RESOURCE.openai.azure.com', 'openai-compatible': 'http://127.0.0.1:11434',
};
KINDS.push(...CLOUD_KINDS);

function stateBadge(a) {
  const cls = a.state === 'active' ? 'badge ok' : a.state === 'rate-limited' || a.state === 'overloaded' ? 'badge warn' : 'badge bad';
  return el('span', { class: cls }, a.schedulable === false ? 'not schedulable' : a.state);
}

function quotaCell(a) {
  if (!a.quota) return el('span', { class: 'muted' }, 'no reading yet');
  const windows = Object.entries(a.quota.windows || {});
  return el('div', {}, el('div', {}, `headroom ${Math.round(a.quota.headroom * 100)} %`),
    ...windows.map(([name, w]) => el('div', { class: 'muted' },
      `${name}: ${Math.round(w.used * 100)} % used${w.resetsAt ? `, resets ${time(w.resetsAt)} (${until(w.resetsAt)})` : ''}`)));
}

async function test(name, out) {
  out.replaceChildren(el('p', { class: 'muted' }, `Testing ${name}…`));
  try {
    const r = await api(`/admin/accounts/${encodeURIComponent(name)}/test`, { method: 'POST', body: {} });
    out.replaceChildren(el('div', { class: 'card', id: 'test-result', 'data-ok': String(r.ok) },
      el('h2', {}, `Connection test of ${r.account}`),
      el('p', {}, el('span', { class: r.ok ? 'badge ok' : 'badge bad' }, r.status == null ? 'no answer' : `HTTP ${r.status}`),
        ` in ${r.latencyMs} ms with ${r.model}`),
      el('p', { id: 'test-message' }, r.message)));
  } catch (e) {
    out.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

function field(id, label, attrs = {}) {
  return el('div', {}, el('label', { for: id }, label), el(attrs.tag || 'input', { id, name: id, ...attrs, tag: null }));
}

function addForm(main) {
  const kind = el('select', { id: 'acc-kind', name: 'kind' }, ...KINDS.map((k) => el('option', { value: k }, k)));
  const form = el('form', { id: 'new-account', class: 'card' }, el('h2', {}, 'Add an account'),
    el('div', { class: 'form-grid' },
      el('div', {}, el('label', { for: 'acc-kind' }, 'Kind'), kind),
      field('acc-name', 'Name', { required: true, autocomplete: 'off' }),
      field('acc-baseUrl', 'Base URL', { required: true, value: DEFAULT_URLS['anthropic-api'] }),
      field('acc-apiKey', 'API key (stored encrypted, never shown again)', { type: 'password', autocomplete: 'off' }),
      field('acc-proxy', 'Proxy (socks5:// or http://, optional)'),
      field('acc-priority', 'Priority (lower first, default 50)', { type: 'number' }),
      field('acc-group', 'Group (optional)'),
      field('acc-models', 'Only these models (comma separated)'),
      field('acc-modelMap', 'Model map (haiku=…,sonnet=…)'),
      headersField('acc-headers'),
      el('div', {}, el('label', { for: 'acc-schedulable' }, 'Schedulable'),
        el('select', { id: 'acc-schedulable' }, el('option', { value: 'true' }, 'yes'), el('option', { value: 'false' }, 'no')))),
    el('div', { id: 'oauth-box' }),
    el('button', { type: 'submit', id: 'add-account' }, 'Add account'),
    el('p', { class: 'error', role: 'alert', id: 'account-error' }));
  const oauth = form.querySelector('#oauth-box');
  let verifier = null;
  kind.addEventListener('change', () => {
    form.elements['acc-baseUrl'].value = DEFAULT_URLS[kind.value];
    oauth.replaceChildren();
    cloudKindChanged(form, kind.value, oauth);
    if (kind.value === 'claude-oauth') {
      const start = el('button', { type: 'button', class: 'secondary' }, 'Open the Claude sign-in');
      start.addEventListener('click', async () => {
        const s = await api('/admin/oauth/claude', { method: 'POST' });
        verifier = s.verifier;
        window.open(s.url, '_blank', 'noopener');
      });
      oauth.append(el('p', { class: 'hint' }, 'Sign in with the Claude account, then paste the code shown back here (or paste a refresh token instead).'),
        start, field('acc-oauthCode', 'Code from the sign-in page'), field('acc-refreshToken', 'or a refresh token', { type: 'password' }));
    } else if (kind.value === 'codex-oauth') {
      const start = el('button', { type: 'button', class: 'secondary', id: 'codex-sign-in' }, 'Open the ChatGPT sign-in');
      start.addEventListener('click', async () => {
        const s = await api('/admin/oauth/codex', { method: 'POST' });
        verifier = s.verifier;
        window.open(s.url, '_blank', 'noopener');
      });
      oauth.append(el('p', { class: 'hint' }, 'Sign in with the ChatGPT account. The browser then ends on a page that does not load '
        + '(http://localhost:1455/auth/callback?code=…): copy that whole address and paste it here. '
        + 'Or run `codex login` and paste ~/.codex/auth.json instead.'),
      start, field('acc-oauthCode', 'Address the browser ended on'),
      field('acc-codexAuth', 'or the content of auth.json', { tag: 'textarea' }));
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = (id) => (form.elements[id] ? form.elements[id].value.trim() : '');
    const body = { kind: kind.value, name: v('acc-name'), baseUrl: v('acc-baseUrl'), schedulable: v('acc-schedulable') !== 'false' };
    if (v('acc-apiKey')) body.apiKey = v('acc-apiKey');
    if (v('acc-proxy')) body.proxy = v('acc-proxy');
    if (v('acc-priority')) body.priority = Number(v('acc-priority'));
    if (v('acc-group')) body.group = v('acc-group');
    if (v('acc-models')) body.models = v('acc-models').split(',').map((s) => s.trim()).filter(Boolean);
    if (v('acc-modelMap')) {
      body.modelMap = Object.fromEntries(v('acc-modelMap').split(',').map((p) => p.split('=').map((s) => s.trim())).filter((p) => p.length === 2));
    }
    if (v('acc-oauthCode')) { body.oauthCode = v('acc-oauthCode'); body.oauthVerifier = verifier; }
    if (v('acc-refreshToken')) body.refreshToken = v('acc-refreshToken');
    try {
      const headers = parseHeaders(v('acc-headers'));
      if (Object.keys(headers).length) body.headers = headers;
    } catch (e) { form.querySelector('.error').textContent = e.message; return; }
    if (v('acc-codexAuth')) {
      try { body.codexAuth = JSON.parse(v('acc-codexAuth')); } catch (e) { form.querySelector('.error').textContent = 'auth.json is not valid JSON'; return; }
    }
    if (!cloudBody(form, kind.value, body)) return;
    try {
      await api('/admin/accounts', { method: 'POST', body });
      flash(`Account ${body.name} added`);
      render(main);
    } catch (e) {
      form.querySelector('.error').textContent = e.message;
    }
  });
  return form;
}

export async function render(main) {
  const answer = await api('/admin/accounts');
  const out = el('div', { id: 'account-test' });
  const list = table([
    { key: 'name', label: 'name' },
    { key: 'kind', label: 'kind' },
    { key: 'state', label: 'state', render: stateBadge },
    { key: 'reason', label: 'why', render: (a) => a.reason || '' },
    { key: 'until', label: 'until', render: (a) => (a.until ? `${time(a.until)} (${until(a.until)})` : '') },
    { key: 'headroom', label: 'quota', sort: (a) => (a.quota ? a.quota.headroom : -1), render: quotaCell },
    { key: 'priority', label: 'priority', num: true },
    { key: 'group', label: 'group', render: (a) => a.group || '' },
    { key: 'proxy', label: 'proxy', render: (a) => a.proxy || '' },
    { key: 'headers', label: 'headers', sort: (a) => Object.keys(a.headers || {}).join(','), render: headerNames },
    { key: 'lastUsed', label: 'last used', render: (a) => time(a.lastUsed) },
    { key: 'actions', label: '', sortable: false, render: (a) => el('div', {},
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'test', 'data-account': a.name,
        onclick: () => test(a.name, out) }, 'Test'),
      el('button', { type: 'button', class: 'small secondary', 'data-action': 'edit', 'data-account': a.name,
        onclick: () => { out.replaceChildren(editForm(a, () => render(main))); out.scrollIntoView(); } }, 'Edit'),
      a.state !== 'active' ? el('button', { type: 'button', class: 'small secondary', 'data-action': 'resume', 'data-account': a.name,
        onclick: async () => { await api(`/admin/accounts/${encodeURIComponent(a.name)}/resume`, { method: 'POST' }); flash(`${a.name} resumed`); render(main); } }, 'Resume') : null) },
  ], answer.accounts, { id: 'accounts', sortKey: 'name', descending: false,
    empty: 'No upstream accounts yet: add one below (an Anthropic API key is the quickest start).' });
  main.replaceChildren(el('h1', {}, 'Accounts'), list, out, addForm(main));
}
