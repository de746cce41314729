// Sizes and codes of the streaming step (kernels.h STREAM_*, stream_packed_floats,
// stream_scratch_floats), and the size checks both adapters run once when binding a stream.
import { ShapeError } from '../errors.js';
import type { StreamBindArgs, StreamCell, StreamDims } from '../backend/types.js';

/** The cell argument of stream_bind / stream_step. */
export const STREAM_CELL_CODES: Record<StreamCell, number> = { lstm: 0, gru: 1, rnn_tanh: 2, rnn_relu: 3 };

export const streamGates = (cell: StreamCell): number => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);

/** Floats of one layer's packed weights: G*H*(I + H). */
export const streamPackedFloats = (cell: StreamCell, I: number, H: number): number => streamGates(cell) * H * (I + H);

/** Floats of stream_step's scratch: gates, GRU's hidden-side gates, the new h and GRU's hn. */
export const streamScratchFloats = (cell: StreamCell, H: number): number => 2 * streamGates(cell) * H + 2 * H;

/** Floats of stream_bind's params: every layer's w_ih, w_hh, b_ih, b_hh. */
export function streamParamFloats({ cell, L, I, H }: StreamDims): number {
  const GH = streamGates(cell) * H;
  return GH * (I + H + 2) + (L - 1) * GH * (2 * H + 2);
}

/** Every buffer's size, once per bind (the step itself checks nothing). */
export function checkStreamBind(a: StreamBindArgs, d: StreamDims): void {
  const { cell, L, I, H, O } = d;
  if (!(cell in STREAM_CELL_CODES)) throw new RangeError(`stream_bind: cell must be one of ${Object.keys(STREAM_CELL_CODES).join(', ')}, got '${cell}'`);
  for (const [name, v] of Object.entries({ L, I, H, O }))
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`stream_bind: ${name} must be a positive integer, got ${v}`);
  const need = (name: string, b: { length: number } | null, n: number, formula: string): void => {
    if (!b) throw new TypeError(`stream_bind: ${name} is required`);
    if (b.length !== n) throw new ShapeError(`stream_bind: ${name} must have ${formula} = ${n} elements, got ${b.length}`);
  };
  need('y', a.y, O, 'O');
  need('h', a.h, L * H, 'L*H');
  if (cell === 'lstm') need('c', a.c, L * H, 'L*H');
  else if (a.c) throw new TypeError('stream_bind: c must be null for a GRU or RNN (no cell state)');
  need('x', a.x, I, 'I');
  need('params', a.params, streamParamFloats(d), "the layers' weights and biases");
  need('head_w', a.head_w, O * H, 'O*H');
  if (a.head_b) need('head_b', a.head_b, O, 'O');
}
