// The workspace of a whole recurrent stack for one (B, T): the input copy, the initial and final
// states and their gradients, and every layer direction's buffers (cells.ts planDirection) under
// `l{layer}d{direction}.{slice}`. Recurrent allocates it once per shape; the memory bench reads it.
import { backwardChunkSteps, planDirection, type CellKind } from './cells.js';
import { plan, type Plan } from './workspace.js';

export interface StackShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  directions: 1 | 2;
  dropout: number;
}

/** The forward kernels' packed-weight scratch (w_t), one for the whole stack. */
export const SHARED_SCRATCH = 'w_t';

/** A direction's slice: `l{layer}d{direction}.{slice}`, but the one shared w_t. */
export const directionSlice = (l: number, d: number, slice: string): string =>
  slice === SHARED_SCRATCH ? SHARED_SCRATCH : `l${l}d${d}.${slice}`;

/**
 * `plan`: what every forward and backward uses. `lazy`: with one direction, every layer's per-step
 * output gradient and layer 0's dx, which a many-to-one training step without lengths never touches
 * (chunks carry the gradient between layers, it enters the top layer as the final state's, and it
 * wants no dL/dx): allocated only if a call needs them.
 */
export function planStack(s: StackShape, B: number, T: number): { plan: Plan; lazy: Plan } {
  const { hiddenSize: H, directions: D, numLayers: L } = s;
  const states = L * D * B * H;
  const entries: Array<[string, number]> = [['x', T * B * s.inputSize], ['h0', states], ['dhN', states], ['dh0', states]];
  const lazy: Array<[string, number]> = [];
  let scratch = 0;
  if (s.cell === 'lstm') entries.push(['c0', states], ['dcN', states], ['dc0', states]);
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? s.inputSize : D * H;
    // With two directions the layer output interleaves them; with one it is the direction's h itself.
    if (D === 2) entries.push([`l${l}.out`, T * B * 2 * H], [`l${l}.dout`, T * B * 2 * H]);
    // Dropout writes the next layer's input beside the saved output, which backward still needs.
    if (s.dropout > 0 && l < L - 1) entries.push([`l${l}.drop`, T * B * D * H], [`l${l}.mask`, T * B * D * H]);
    for (let d = 0; d < D; d++) {
      for (const [name, { length }] of planDirection(s.cell, { T, B, I, H }, d === 1).slices) {
        // One forward scratch serves every layer and direction: they run one after another.
        if (name === 'w_t') {
          scratch = Math.max(scratch, length);
          continue;
        }
        // With one direction, layers above the first write dx into the layer below's dh (backward).
        if (name === 'dx' && l > 0 && D === 1) continue;
        // One direction: backward runs chunk by chunk through the layers (recurrent.ts), so a layer's
        // per-step dh is needed whole only on the full path (the top layer's, or any with lengths).
        const onDemand = D === 1 && (name === 'dh' || (name === 'dx' && l === 0));
        (onDemand ? lazy : entries).push([directionSlice(l, d, name), length]);
      }
    }
    // One direction: the gradient on this layer's output for one chunk of steps, written by the
    // layer above, and the (dh, dc) carried between chunks, in and out.
    if (D === 1 && l < L - 1) entries.push([`l${l}.dhc`, backwardChunkSteps(T, B) * B * H]);
    if (D === 1) entries.push([`l${l}.carry`, 4 * B * H]);
  }
  entries.push([SHARED_SCRATCH, scratch]);
  return { plan: plan(entries), lazy: plan(lazy) };
}
