// Formatting and DOM helpers. Data is always set as text, never parsed as HTML.
const numbers = new Intl.NumberFormat(undefined);
const usd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 4 });

export function num(n) {
  return n == null ? '–' : numbers.format(n);
}

export function tokens(n) {
  if (n == null) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M tokens`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k tokens`;
  return `${numbers.format(n)} tokens`;
}

export function money(n) {
  return n == null ? '–' : usd.format(n);
}

export function ms(n) {
  if (n == null) return '–';
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}

/** An instant in the browser's own time zone. */
export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** "in 3 h 20 min" until an instant. */
export function until(iso) {
  if (!iso) return '';
  const s = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  if (s <= 0) return 'now';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `in ${h} h ${m} min` : `in ${Math.max(m, 1)} min`;
}

/** el('td', {class: 'num'}, 'text', child…): an element with attributes and text or element children. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function flash(message) {
  const f = document.getElementById('flash');
  if (!f) return;
  f.textContent = message;
  f.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { f.hidden = true; }, 4000);
}

export function bar(used, limit) {
  const share = limit > 0 ? Math.min(1, used / limit) : 0;
  const b = el('div', { class: share >= 1 ? 'bar full' : 'bar', role: 'meter', 'aria-valuenow': used,
    'aria-valuemax': limit });
  b.append(el('span'));
  b.firstChild.style.width = `${Math.round(share * 100)}%`;
  return b;
}

/** An amount in a limit's own unit: USD, tokens, requests. */
export function amount(unit, n) {
  if (unit === 'USD') return money(n);
  if (unit === 'tokens') return tokens(n);
  return n == null ? '–' : `${numbers.format(n)} ${unit}`;
}
