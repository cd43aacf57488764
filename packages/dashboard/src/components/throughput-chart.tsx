// A card's small chart (uPlot): deliveries per 10 s as bars and what is pending as a line, from the page's own
// samples; redrawn every few seconds. Described in words for screen readers.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useApp } from '../app-context';

const WIDTH = 260;
const HEIGHT = 90;

export function ThroughputChart(props: { historyKey: string; label: string }) {
  const { history } = useApp();
  const element = useRef<HTMLDivElement>(null);
  const description = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    const target = element.current!;
    const width = () => Math.max(160, Math.min(target.clientWidth || WIDTH, 600));
    const plot = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: true },
          delivered: { range: (_u, _min, max) => [0, Math.max(4, max)] },
          pending: { range: (_u, _min, max) => [0, Math.max(4, max)] },
        },
        axes: [
          { show: false },
          { scale: 'delivered', size: 28, font: '10px system-ui', ticks: { show: false }, gap: 2 },
          { scale: 'pending', side: 1, size: 28, font: '10px system-ui', ticks: { show: false }, gap: 2 },
        ],
        series: [
          {},
          {
            label: 'delivered per 10 s',
            scale: 'delivered',
            stroke: '#2f7d32',
            fill: 'rgba(47, 125, 50, 0.35)',
            paths: uPlot.paths.bars!({ size: [0.8, 12] }),
          },
          { label: 'pending', scale: 'pending', stroke: '#b45309', width: 2, spanGaps: true },
        ],
      },
      history.chartData(props.historyKey) as uPlot.AlignedData,
      target,
    );
    const redraw = () => {
      const data = history.chartData(props.historyKey);
      plot.setData(data as uPlot.AlignedData);
      const delivered = data[1].reduce((a, b) => a + b, 0);
      const pending = data[2].filter((v) => v !== null).at(-1);
      if (description.current) {
        description.current.textContent = `${props.label}: ${delivered} delivered in the last ${Math.round(
          (data[0].length * 10) / 60,
        )} min; ${pending ?? 'unknown'} pending now.`;
      }
    };
    redraw();
    const timer = setInterval(redraw, 2000);
    const resize = () => plot.setSize({ width: width(), height: HEIGHT });
    addEventListener('resize', resize);
    return () => {
      clearInterval(timer);
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [props.historyKey]);

  return (
    <figure class="chart">
      <div ref={element} role="img" aria-label={`Throughput and pending chart of ${props.label}`} />
      <figcaption>
        <span class="legend legend-delivered">delivered / 10 s</span>
        <span class="legend legend-pending">pending</span>
        <p ref={description} class="visually-hidden" />
      </figcaption>
    </figure>
  );
}
