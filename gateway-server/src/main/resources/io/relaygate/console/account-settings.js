// An account's settings after it was added (POST /admin/accounts/<name>/edit, like `relaygate accounts edit`):
// priority, group, models, model map, proxy, schedulable and extra upstream headers. Header values may be secrets:
// the API lists names only ("set"), so the form shows names with a remove box and takes new lines.
import { api } from './api.js';
import { el, flash } from './format.js';

/** "Name: value" lines into an object; throws naming the line that is not one. */
export function parseHeaders(text) {
  const out = {};
  for (const line of text.split('\n').map((s) => s.trim()).filter(Boolean)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`header line ${JSON.stringify(line.slice(0, 40))}: expected "Name: value"`);
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

export function headersField(id) {
  return el('div', {}, el('label', { for: id }, 'Extra headers, one "Name: value" a line (stored encrypted, shown as "set")'),
    el('textarea', { id, name: id, rows: 2, autocomplete: 'off', spellcheck: 'false' }));
}

/** The names of an account's headers, each shown as set. */
export function headerNames(a) {
  const names = Object.keys(a.headers || {});
  return names.length ? el('div', {}, ...names.map((n) => el('div', { class: 'muted' }, `${n}: set`))) : '';
}

function input(id, label, value, attrs = {}) {
  return el('div', {}, el('label', { for: id }, label), el('input', { id, name: id, value: value ?? '', ...attrs }));
}

/** A card that edits {@code a}; {@code done} runs after a save. */
export function editForm(a, done) {
  const mapText = Object.entries(a.modelMap || {}).map(([k, v]) => `${k}=${v}`).join(',');
  const existing = Object.keys(a.headers || {});
  const form = el('form', { id: 'edit-account', class: 'card' }, el('h2', {}, `Edit ${a.name}`),
    el('div', { class: 'form-grid' },
      input('ed-priority', 'Priority (lower first)', a.priority, { type: 'number' }),
      input('ed-group', 'Group (empty: none)', a.group),
      input('ed-models', 'Only these models (comma separated; empty: any)', (a.models || []).join(',')),
      input('ed-modelMap', 'Model map (haiku=…,sonnet=…)', mapText),
      input('ed-proxy', 'Proxy (empty: none; shown without its password, leave as is to keep it)', a.proxy),
      el('div', {}, el('label', { for: 'ed-schedulable' }, 'Schedulable'),
        el('select', { id: 'ed-schedulable' }, el('option', { value: 'true', selected: a.schedulable !== false }, 'yes'),
          el('option', { value: 'false', selected: a.schedulable === false }, 'no')))),
    existing.length ? el('fieldset', {}, el('legend', {}, 'Headers set (values never shown)'),
      ...existing.map((n) => el('label', {}, el('input', { type: 'checkbox', name: 'remove-header', value: n }), ` remove ${n}`))) : null,
    headersField('ed-headers'),
    el('button', { type: 'submit', id: 'save-account' }, 'Save'),
    el('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, 'Cancel'),
    el('p', { class: 'error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = (id) => form.elements[id].value.trim();
    const body = { priority: Number(v('ed-priority')), group: v('ed-group'), schedulable: v('ed-schedulable') !== 'false',
      models: v('ed-models').split(',').map((s) => s.trim()).filter(Boolean),
      modelMap: Object.fromEntries(v('ed-modelMap').split(',').map((p) => p.split('=').map((s) => s.trim())).filter((p) => p.length === 2)) };
    if (v('ed-proxy') !== (a.proxy || '')) body.proxy = v('ed-proxy');
    try {
      const headers = parseHeaders(form.elements['ed-headers'].value);
      for (const box of form.querySelectorAll('input[name="remove-header"]:checked')) headers[box.value] = null;
      if (Object.keys(headers).length) body.headers = headers;
      await api(`/admin/accounts/${encodeURIComponent(a.name)}/edit`, { method: 'POST', body });
      flash(`Account ${a.name} saved`);
      done();
    } catch (e) {
      form.querySelector('.error').textContent = e.message;
    }
  });
  return form;
}
