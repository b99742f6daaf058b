// Line charts with uPlot (served from its WebJar under /ui/vendor/). Times are shown in the browser's zone.
import { el } from './format.js';

export function lineChart(title, times, series, format) {
  const box = el('div', { class: 'card chart' }, el('h2', {}, title));
  const target = el('div');
  box.append(target);
  const draw = () => {
    if (!window.uPlot) {
      target.append(el('p', { class: 'muted' }, 'Charts could not load.'));
      return;
    }
    const width = Math.max(280, (box.clientWidth || 600) - 32);
    const colors = ['#3656d6', '#c0362c', '#1f7a3d', '#b26b00'];
    const opts = {
      width,
      height: 200,
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 2,
        value: (u, v) => (v == null ? '–' : format(v)) }))],
      axes: [{}, { values: (u, ticks) => ticks.map(format), size: 70 }],
      legend: { show: true },
    };
    const data = [times.map((t) => new Date(t).getTime() / 1000), ...series.map((s) => s.values)];
    // eslint-disable-next-line no-new, new-cap
    new window.uPlot(opts, data, target);
  };
  requestAnimationFrame(draw);
  return box;
}
