import { BarController, BarElement, CategoryScale, Chart, type ChartOptions, Legend, LinearScale, type Plugin, Tooltip } from 'chart.js';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

// Bar charts with chart.js (only the bar parts are registered, so the bundle carries nothing else). A chart is a
// canvas, which a screen reader cannot read: each one is a <figure> whose canvas has role="img" and a summary
// label, followed by the same numbers as a table (the children), which is also what the browser tests read.

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.color = '#e6edf3';
Chart.defaults.borderColor = '#2c3845';
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

export interface BarSeries {
  label: string;
  data: Array<number | null>;
  /** one colour, or one per bar */
  colour: string | string[];
}

export function BarChart(props: {
  id: string;
  title: string;
  /** what the chart shows, in a sentence (the canvas's accessible name) */
  summary: string;
  labels: string[];
  series: BarSeries[];
  stacked?: boolean;
  /** counts: whole numbers on the axis */
  integer?: boolean;
  yTitle?: string;
  yMin?: number;
  yMax?: number;
  horizontalLines?: Array<{ y: number; label: string }>;
  source?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify([props.labels, props.series, props.stacked, props.integer, props.yMin, props.yMax, props.horizontalLines]);
  useEffect(() => {
    if (!canvas.current) return;
    const lines = props.horizontalLines ?? [];
    const guideLines: Plugin<'bar'> = {
      id: 'guideLines',
      afterDatasetsDraw(chart) {
        const { ctx, chartArea, scales } = chart;
        ctx.save();
        ctx.setLineDash([6, 4]);
        ctx.strokeStyle = '#e3b341';
        ctx.fillStyle = '#e3b341';
        ctx.font = '12px system-ui, sans-serif';
        for (const l of lines) {
          const y = scales.y.getPixelForValue(l.y);
          ctx.beginPath();
          ctx.moveTo(chartArea.left, y);
          ctx.lineTo(chartArea.right, y);
          ctx.stroke();
          ctx.fillText(l.label, chartArea.right - ctx.measureText(l.label).width - 4, y - 4);
        }
        ctx.restore();
      },
    };
    const options: ChartOptions<'bar'> = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: props.series.length > 1 }, tooltip: { enabled: true } },
      scales: {
        x: { stacked: props.stacked },
        y: { stacked: props.stacked, min: props.yMin, max: props.yMax, ticks: props.integer ? { precision: 0 } : {}, title: { display: !!props.yTitle, text: props.yTitle } },
      },
    };
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: props.labels, datasets: props.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.colour, borderWidth: 0, maxBarThickness: 72 })) },
      options,
      plugins: [guideLines],
    });
    return () => chart.destroy();
  }, [key]);
  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`} data-testid={`chart-${props.id}`}>
      <figcaption id={`${props.id}-title`}>{props.title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={props.summary} />
      </div>
      {props.source ? <p class="small muted chart-source">{props.source}</p> : null}
      {props.children}
    </figure>
  );
}
