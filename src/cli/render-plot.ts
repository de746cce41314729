// Rendering a Vega-Lite spec without a browser: vega-lite compiles it to Vega, Vega's headless view
// writes SVG, and resvg (a Rust renderer shipped as a prebuilt N-API package) turns the SVG into a PNG.
// The libraries are imported on first use, so commands that draw nothing start fast.
import { writeFile } from 'node:fs/promises';

/** The spec as an SVG document. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  // Warnings about the spec are ours to fix, not the user's to read: only errors are reported (thrown).
  const logger = vega.logger(vega.Error);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0], { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG at twice its size (sharp on high-density screens), with the system's fonts. */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}

/** Writes the plot to `file`: SVG or PNG by its extension. */
export async function writePlot(spec: Record<string, unknown>, file: string): Promise<void> {
  const svg = await renderSvg(spec);
  await writeFile(file, /\.png$/i.test(file) ? await svgToPng(svg) : svg);
}
