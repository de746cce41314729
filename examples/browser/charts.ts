// Two small SVG charts for the demo, drawn by hand: a loss curve (log scale) and a series with its
// forecast and interval band. Kept dependency-free so the demo measures seqcast, not a chart library.

const NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, parent: Element): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.appendChild(e);
  return e;
}

interface Frame { x0: number; x1: number; y0: number; y1: number; w: number; h: number; pad: number }

const sx = (f: Frame, x: number) => f.pad + ((x - f.x0) / Math.max(f.x1 - f.x0, 1e-12)) * (f.w - 2 * f.pad);
const sy = (f: Frame, y: number) => f.h - f.pad - ((y - f.y0) / Math.max(f.y1 - f.y0, 1e-12)) * (f.h - 2 * f.pad);

function polyline(f: Frame, xs: number[], ys: number[], color: string, parent: Element, width = 1.5): void {
  const points = xs.map((x, i) => `${sx(f, x).toFixed(1)},${sy(f, ys[i]).toFixed(1)}`).join(' ');
  el('polyline', { points, fill: 'none', stroke: color, 'stroke-width': width }, parent);
}

function axes(f: Frame, svg: SVGSVGElement, yLabel: (v: number) => string, xLabels: Array<[number, string]>): void {
  el('line', { x1: f.pad, y1: f.h - f.pad, x2: f.w - f.pad, y2: f.h - f.pad, stroke: '#888' }, svg);
  el('line', { x1: f.pad, y1: f.pad, x2: f.pad, y2: f.h - f.pad, stroke: '#888' }, svg);
  for (const v of [f.y0, (f.y0 + f.y1) / 2, f.y1]) {
    const t = el('text', { x: f.pad - 4, y: sy(f, v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#555' }, svg);
    t.textContent = yLabel(v);
  }
  for (const [x, label] of xLabels) {
    const t = el('text', { x: sx(f, x), y: f.h - f.pad + 14, 'text-anchor': 'middle', 'font-size': 10, fill: '#555' }, svg);
    t.textContent = label;
  }
}

export function drawLoss(svg: SVGSVGElement, loss: number[], valLoss: number[], epochs: number): void {
  svg.replaceChildren();
  const all = [...loss, ...valLoss].filter((v) => v > 0 && Number.isFinite(v));
  if (all.length === 0) return;
  const f: Frame = { x0: 1, x1: Math.max(epochs, 2), y0: Math.log10(Math.min(...all)), y1: Math.log10(Math.max(...all)), w: 320, h: 240, pad: 36 };
  if (f.y1 - f.y0 < 0.1) f.y1 = f.y0 + 0.1;
  axes(f, svg, (v) => (10 ** v).toPrecision(2), [[1, '1'], [f.x1, String(epochs)]]);
  const epochAxis = (a: number[]) => a.map((_, i) => i + 1);
  polyline(f, epochAxis(loss), loss.map(Math.log10), '#2b6cb0', svg);
  if (valLoss.length) polyline(f, epochAxis(valLoss), valLoss.map(Math.log10), '#dd6b20', svg);
}

export interface ForecastPicture {
  history: { time: string[]; values: number[] };
  forecast: { time: string[]; mean: number[]; lower: number[]; upper: number[] };
}

export function drawForecast(svg: SVGSVGElement, p: ForecastPicture): void {
  svg.replaceChildren();
  const n = p.history.values.length;
  const h = p.forecast.mean.length;
  const ys = [...p.history.values, ...p.forecast.lower, ...p.forecast.upper].filter(Number.isFinite);
  const f: Frame = { x0: 0, x1: n + h - 1, y0: Math.min(...ys), y1: Math.max(...ys), w: 640, h: 240, pad: 40 };
  const label = (i: number) => (i < n ? p.history.time[i] : p.forecast.time[i - n]) ?? String(i);
  axes(f, svg, (v) => v.toPrecision(3), [[0, label(0)], [n + h - 1, label(n + h - 1)]]);
  polyline(f, p.history.values.map((_, i) => i), p.history.values, '#777', svg);
  const fx = p.forecast.mean.map((_, i) => n + i);
  const band = [...fx.map((x, i) => [x, p.forecast.upper[i]]), ...fx.map((x, i) => [x, p.forecast.lower[i]]).reverse()];
  el('polygon', { points: band.map(([x, y]) => `${sx(f, x).toFixed(1)},${sy(f, y).toFixed(1)}`).join(' '), fill: '#2b6cb0', 'fill-opacity': 0.2, stroke: 'none' }, svg);
  polyline(f, [n - 1, ...fx], [p.history.values[n - 1], ...p.forecast.mean], '#2b6cb0', svg, 2);
}
