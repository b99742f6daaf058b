// A sortable table: click a header to sort by it, again to reverse. Columns: {key, label, num, render, sort}.
import { el } from './format.js';

export function table(columns, rows, options = {}) {
  const wrap = el('div', { class: 'table-wrap' });
  if (!rows.length) {
    wrap.append(el('div', { class: 'empty card' }, options.empty || 'Nothing here yet.'));
    return wrap;
  }
  let sortKey = options.sortKey || null;
  let descending = options.descending ?? true;
  const t = el('table', { id: options.id });
  const head = el('tr');
  const body = el('tbody');
  const value = (c, r) => (c.sort ? c.sort(r) : r[c.key]);
  function draw() {
    const sorted = [...rows];
    const col = columns.find((c) => c.key === sortKey);
    if (col) {
      sorted.sort((a, b) => {
        const x = value(col, a);
        const y = value(col, b);
        const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
        return descending ? -cmp : cmp;
      });
    }
    body.replaceChildren(...sorted.map((r) => {
      const tr = el('tr', { class: options.onRow ? 'clickable' : null, 'data-row': r[options.rowKey || 'name'] });
      if (options.onRow) tr.addEventListener('click', (e) => { if (e.target.tagName !== 'BUTTON') options.onRow(r); });
      for (const c of columns) {
        const content = c.render ? c.render(r) : r[c.key];
        tr.append(el('td', { class: c.num ? 'num' : null, 'data-col': c.key }, content));
      }
      return tr;
    }));
    for (const th of head.children) {
      th.setAttribute('aria-sort', th.dataset.key === sortKey ? (descending ? 'descending' : 'ascending') : 'none');
    }
  }
  for (const c of columns) {
    const th = el('th', { class: c.num ? 'num' : null, 'data-key': c.key, scope: 'col' }, c.label);
    if (c.sortable !== false) {
      th.addEventListener('click', () => {
        descending = sortKey === c.key ? !descending : !!c.num;
        sortKey = c.key;
        draw();
      });
    }
    head.append(th);
  }
  t.append(el('thead', {}, head), body);
  wrap.append(t);
  draw();
  return wrap;
}
