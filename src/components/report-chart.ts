/**
 * The geometry of the report's small charts (server-rendered SVG, no script): bars or lines over
 * the days of a range, on a fixed 480 × 240 canvas that the page scales to its width.
 */

export interface ChartSeries {
  /** The series' place in the legend and its look: the first solid, the second dashed/lighter. */
  tone: 1 | 2;
  kind: 'bar' | 'line';
  values: ReadonlyArray<number | null>;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  bars: Array<{ x: number; y: number; width: number; height: number; tone: 1 | 2 }>;
  lines: Array<{ points: string; tone: 1 | 2 }>;
  dots: Array<{ x: number; y: number; tone: 1 | 2 }>;
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
}

export const CHART_WIDTH = 480;
export const CHART_HEIGHT = 240;

/** The smallest of 1, 2, 5 × 10ⁿ at or above the value (at least 1). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function chartGeometry(input: {
  labels: readonly string[];
  series: readonly ChartSeries[];
  /** The top of the scale: 1 for shares; by default the data's, rounded up. */
  max?: number;
  formatY: (value: number) => string;
  /** The label shown under a tick (default: the label itself). */
  formatX?: (label: string) => string;
}): ChartGeometry {
  const plot = { left: 46, right: CHART_WIDTH - 22, top: 12, bottom: CHART_HEIGHT - 30 };
  const n = Math.max(1, input.labels.length);
  const highest = Math.max(0, ...input.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const max = input.max ?? niceCeiling(highest);
  const slot = (plot.right - plot.left) / n;
  const yOf = (value: number) => plot.bottom - (Math.min(value, max) / max) * (plot.bottom - plot.top);
  const centre = (i: number) => plot.left + slot * (i + 0.5);

  const barSeries = input.series.filter((s) => s.kind === 'bar');
  const barWidth = (slot * 0.7) / Math.max(1, barSeries.length);
  const bars: ChartGeometry['bars'] = [];
  barSeries.forEach((series, k) => {
    series.values.forEach((value, i) => {
      if (value === null) return;
      const y = yOf(value);
      bars.push({
        x: round(plot.left + slot * i + slot * 0.15 + barWidth * k),
        y: round(y),
        width: round(Math.max(1, barWidth - 1)),
        height: round(Math.max(value > 0 ? 1 : 0, plot.bottom - y)),
        tone: series.tone,
      });
    });
  });

  const lines: ChartGeometry['lines'] = [];
  const dots: ChartGeometry['dots'] = [];
  for (const series of input.series.filter((s) => s.kind === 'line')) {
    // A day without figures breaks the line rather than drawing through a value that is not there.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) lines.push({ points: run.join(' '), tone: series.tone });
      run = [];
    };
    for (const [i, value] of series.values.entries()) {
      if (value === null) {
        flush();
        continue;
      }
      const point = { x: round(centre(i)), y: round(yOf(value)) };
      run.push(`${point.x},${point.y}`);
      dots.push({ ...point, tone: series.tone });
    }
    flush();
  }

  // About five labels along the bottom, from the first; the last too when there is room.
  const every = Math.max(1, Math.ceil(n / 5));
  const format = input.formatX ?? ((label: string) => label);
  const ticks: number[] = [];
  for (let i = 0; i < n; i += every) ticks.push(i);
  if (n - 1 - (ticks.at(-1) ?? 0) >= every * 0.75) ticks.push(n - 1);
  const xTicks = ticks.map((i) => ({ x: round(centre(i)), label: format(input.labels[i] ?? '') }));
  const yTicks = [0, max / 2, max].map((value) => ({ y: round(yOf(value)), label: input.formatY(value) }));
  return { width: CHART_WIDTH, height: CHART_HEIGHT, plot, bars, lines, dots, xTicks, yTicks };
}

const round = (value: number) => Math.round(value * 10) / 10;
