import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UsagePoint {
  /** Start of the period, epoch seconds. */
  time: number;
  success: number;
  failed: number;
  /** 95th percentile of the process time in the period, milliseconds (null: no calls). */
  p95: number | null;
}

/**
 * Calls per period by outcome (bars) with the p95 process time (line, right axis), drawn with
 * uPlot on a canvas. The same numbers are in the table the page shows beside it.
 */
export function UsageChart({ points, label }: { points: UsagePoint[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const bars = uPlot.paths.bars!({ size: [0.6, 40] });
    const chart = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 260,
        scales: { x: { time: true }, ms: { auto: true } },
        axes: [{}, { label: 'calls' }, { scale: 'ms', side: 1, label: 'p95 ms', grid: { show: false } }],
        series: [
          {},
          { label: 'success', stroke: '#2e7d32', fill: 'rgba(46,125,50,0.35)', paths: bars },
          { label: 'failed', stroke: '#c62828', fill: 'rgba(198,40,40,0.45)', paths: bars },
          { label: 'p95 ms', scale: 'ms', stroke: '#3355cc', width: 2 },
        ],
      },
      [points.map((p) => p.time), points.map((p) => p.success), points.map((p) => p.failed), points.map((p) => p.p95)],
      el,
    );
    const resize = () => chart.setSize({ width: Math.max(300, el.clientWidth), height: 260 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [points]);
  return <div ref={box} role="img" aria-label={label} data-testid="usage-chart" />;
}
