// Overview: totals and charts over the last hour, day or week; latency from the request records; top keys, accounts
// and models; accounts out of rotation.
import { api } from './api.js';
import { el, num, tokens, money, ms, time, until } from './format.js';
import { table } from './table.js';
import { lineChart } from './chart.js';

let range = 'day';

function stat(id, label, value) {
  return el('div', { class: 'card stat' }, el('div', { class: 'value', id }, value), el('div', { class: 'label' }, label));
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

async function latency() {
  const since = { hour: '1h', day: '24h', week: '7d' }[range];
  try {
    const answer = await api(`/admin/requests?since=${since}&limit=1000`);
    const rows = answer.requests || [];
    const d = rows.map((r) => r.durationMs).filter((v) => v != null).sort((a, b) => a - b);
    const t = rows.map((r) => r.ttfbMs).filter((v) => v != null).sort((a, b) => a - b);
    return { p50: percentile(d, 0.5), p95: percentile(d, 0.95), t50: percentile(t, 0.5), t95: percentile(t, 0.95),
      count: rows.length, rows };
  } catch (e) {
    return null;
  }
}

/** p50 / p95 of duration and time to first byte per bucket of the series, from the latest request records. */
function latencyOverTime(times, step, rows) {
  const width = step === 'hour' ? 3600e3 : 86400e3;
  const starts = times.map((t) => new Date(t).getTime());
  const buckets = starts.map(() => ({ d: [], t: [] }));
  for (const r of rows) {
    const at = new Date(r.time).getTime();
    const i = starts.findIndex((s) => at >= s && at < s + width);
    if (i < 0) continue;
    if (r.durationMs != null) buckets[i].d.push(r.durationMs);
    if (r.ttfbMs != null) buckets[i].t.push(r.ttfbMs);
  }
  const pick = (key, p) => buckets.map((b) => percentile([...b[key]].sort((x, y) => x - y), p));
  return lineChart('Latency (latest 1,000 requests)', times, [
    { label: 'p50', values: pick('d', 0.5) }, { label: 'p95', values: pick('d', 0.95) },
    { label: 'first byte p50', values: pick('t', 0.5) }, { label: 'first byte p95', values: pick('t', 0.95) }], ms);
}

export async function render(main) {
  const [o, lat] = await Promise.all([api(`/admin/overview?range=${range}`), latency()]);
  const picker = el('select', { id: 'range', 'aria-label': 'Time range' },
    ...['hour', 'day', 'week'].map((r) => el('option', { value: r, selected: r === range }, `Last ${r}`)));
  picker.addEventListener('change', () => { range = picker.value; render(main); });
  const t = o.totals;
  const out = [el('div', { class: 'toolbar' }, el('h1', {}, 'Overview'), picker)];
  out.push(el('div', { class: 'grid' },
    stat('total-requests', 'requests', num(t.requests)),
    stat('total-errors', 'errors', num(t.errors)),
    stat('total-tokens', 'tokens (in + out)', tokens(t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens)),
    stat('total-cost', 'cost', money(t.costUsd)),
    stat('latency-p50', 'latency p50 / p95', lat ? `${ms(lat.p50)} / ${ms(lat.p95)}` : '–'),
    stat('ttfb-p50', 'time to first byte p50 / p95', lat ? `${ms(lat.t50)} / ${ms(lat.t95)}` : '–')));
  if (!lat) out.push(el('p', { class: 'hint' }, 'Latency needs the per-request records (/admin/requests).'));
  const times = o.series.map((p) => p.time);
  const latencyChart = lat && lat.rows.length ? latencyOverTime(times, o.step, lat.rows) : null;
  out.push(el('div', { class: 'grid2' },
    lineChart('Requests and errors', times, [
      { label: 'requests', values: o.series.map((p) => p.requests) },
      { label: 'errors', values: o.series.map((p) => p.errors) }], num),
    lineChart('Tokens', times, [
      { label: 'input', values: o.series.map((p) => p.inputTokens + p.cacheReadTokens + p.cacheWriteTokens) },
      { label: 'output', values: o.series.map((p) => p.outputTokens) }], num),
    lineChart('Cost (USD)', times, [{ label: 'cost', values: o.series.map((p) => p.costUsd) }], money),
    latencyChart));
  const cols = [
    { key: 'name', label: 'name' },
    { key: 'requests', label: 'requests', num: true, render: (r) => num(r.requests) },
    { key: 'tokens', label: 'tokens', num: true, sort: (r) => r.inputTokens + r.outputTokens,
      render: (r) => tokens(r.inputTokens + r.outputTokens) },
    { key: 'costUsd', label: 'cost', num: true, render: (r) => money(r.costUsd) },
  ];
  const period = { hour: 'this hour', day: 'today (UTC)', week: 'this week' }[o.topPeriod] || o.topPeriod;
  out.push(el('div', { class: 'grid2' },
    el('div', {}, el('h2', {}, `Top keys, ${period}`), table(cols, o.topKeys, { id: 'top-keys', empty: 'No requests yet: create a key and point a client at the gateway.' })),
    el('div', {}, el('h2', {}, `Top accounts, ${period}`), table(cols, o.topAccounts, { id: 'top-accounts', empty: 'No account has served a request yet.' })),
    el('div', {}, el('h2', {}, `Top models, ${period}`), table(cols, o.topModels, { id: 'top-models', empty: 'No model used yet.' }))));
  out.push(el('h2', {}, 'Accounts out of rotation'));
  out.push(table([
    { key: 'name', label: 'account' },
    { key: 'state', label: 'state' },
    { key: 'reason', label: 'why' },
    { key: 'until', label: 'until', render: (r) => (r.until ? `${time(r.until)} (${until(r.until)})` : 'until resumed') },
  ], o.outOfRotation, { id: 'out-of-rotation', empty: 'Every account is in rotation.' }));
  main.replaceChildren(...out);
  performance.mark('relaygate:overview-rendered');
}
