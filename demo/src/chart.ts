// Scaling charts drawn with uPlot: time (log scale) against trace size (log2 rows), one line per series,
// in a <figure> whose caption lists every point as text, resized with its container.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtUs, h, pow2 } from './dom.js';

export interface ScalingSeries {
  label: string;
  /** [log2 rows, microseconds] */
  points: [number, number][];
  dashed?: boolean;
}

export interface ScalingChart {
  el: HTMLElement;
  destroy(): void;
}

// Okabe–Ito (told apart with the common colour-vision deficiencies), then a purple.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#7a3cc4'];

/**
 * A chart of `series` (y: `yLabel`, in µs) in a figure named `title`. The caller puts `el` in the
 * page and calls destroy() when it leaves (which stops following the container's size).
 */
export function scalingChart(title: string, yLabel: string, series: ScalingSeries[], height = 320): ScalingChart {
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map(([, y]) => y)).sort((a, b) => a - b);
  const data: uPlot.AlignedData = [
    xs,
    ...series.map((s) => {
      const at = new Map(s.points);
      return xs.map((x) => at.get(x) ?? null);
    }),
  ];
  const plot = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}: ${series.length} series; the points are listed below the chart` });
  const rows = series.map((s) => h('li', {}, `${s.label}: `, [...s.points].sort((a, b) => a[0] - b[0]).map(([x, y]) => `${pow2(x)} rows ${fmtUs(y)}`).join(', ')));
  const el = h('figure', { class: 'scaling' }, plot, h('figcaption', {}, h('details', {}, h('summary', {}, `${title}: the data as text`), h('ul', {}, rows))));

  const opts: uPlot.Options = {
    width: 600,
    height,
    scales: {
      // Ranges from the data, with room around it: uPlot's own stretch a single size to 2⁰–2²⁰ and
      // put a single time on the plot's edge.
      x: { time: false, auto: false, range: () => [xs[0]! - 0.5, xs[xs.length - 1]! + 0.5] },
      y: { distr: 3, log: 10, range: () => [ys[0]! / 2, ys[ys.length - 1]! * 2] },
    },
    axes: [
      { label: 'trace rows', incrs: [1, 2, 4, 8], values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? pow2(v) : '')) },
      // uPlot passes null for the log ticks it leaves unlabelled.
      { label: yLabel, size: 70, values: (_u, splits) => splits.map((v) => (v === null ? '' : fmtUs(v).replace(/\.0+ /, ' '))) },
    ],
    legend: { live: false },
    series: [
      {},
      ...series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length]!,
        width: 2,
        dash: s.dashed ? [8, 5] : undefined,
        spanGaps: true,
        points: { show: true, size: 8 },
      })),
    ],
    cursor: { drag: { x: false, y: false } },
  };
  const chart = new uPlot(opts, data, plot);
  // The first size is set once the figure is in the page; a detached element has no width.
  const resize = new ResizeObserver(() => {
    const width = Math.floor(plot.clientWidth);
    if (width > 0 && width !== chart.width) chart.setSize({ width, height });
  });
  resize.observe(plot);
  return {
    el,
    destroy() {
      resize.disconnect();
      chart.destroy();
    },
  };
}
