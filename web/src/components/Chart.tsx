/**
 * A small bar chart drawn by uPlot (a well-kept, 22 kB chart library). The chart is a picture for
 * the eye; the same figures are in a table beside it for screen readers and for copying.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function BarChart({ labels, values, title, color = '#0b5cad', height = 180 }: { labels: string[]; values: number[]; title: string; color?: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = labels.map((_, i) => i);
    const bars = uPlot.paths.bars!({ size: [0.7, 60] });
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
    const ink = dark ? '#9da7b3' : '#57606a';
    const plot = new uPlot({
      width: Math.max(240, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        { stroke: ink, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => labels[t] ?? ''), space: 28 },
        { stroke: ink, grid: { stroke: dark ? '#30363d' : '#eaeef2' }, size: 40 },
      ],
      series: [{}, { label: title, stroke: color, fill: color, paths: bars, points: { show: false } }],
    }, [xs, values], el);
    const resize = () => plot.setSize({ width: Math.max(240, el.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); plot.destroy(); };
  }, [labels, values, title, color, height]);
  return <div ref={box} className="chart" role="img" aria-label={`${title}: ${labels.map((l, i) => `${l} ${values[i]}`).join(', ')}`} />;
}
