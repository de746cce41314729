// The workspace of a whole recurrent stack for one (B, T): the input copy, the initial and final
// states and their gradients, and every layer direction's buffers (cells.ts planDirection) under
// `l{layer}d{direction}.{slice}`. Recurrent allocates it once per shape; the memory bench reads it.
import { planDirection, type CellKind } from './cells.js';
import { plan, type Plan } from './workspace.js';

export interface StackShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  directions: 1 | 2;
  dropout: number;
}

export const directionSlice = (l: number, d: number, slice: string): string => `l${l}d${d}.${slice}`;

/**
 * `plan`: what every forward and backward uses. `lazy`: with one direction, the top layer's per-step
 * output gradient and layer 0's dx, which a many-to-one training step never touches (its gradient
 * enters as the final state's, and it wants no dL/dx): allocated only if a call needs them.
 */
export function planStack(s: StackShape, B: number, T: number): { plan: Plan; lazy: Plan } {
  const { hiddenSize: H, directions: D, numLayers: L } = s;
  const states = L * D * B * H;
  const entries: Array<[string, number]> = [['x', T * B * s.inputSize], ['h0', states], ['dhN', states], ['dh0', states]];
  const lazy: Array<[string, number]> = [];
  if (s.cell === 'lstm') entries.push(['c0', states], ['dcN', states], ['dc0', states]);
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? s.inputSize : D * H;
    // With two directions the layer output interleaves them; with one it is the direction's h itself.
    if (D === 2) entries.push([`l${l}.out`, T * B * 2 * H], [`l${l}.dout`, T * B * 2 * H]);
    // Dropout writes the next layer's input beside the saved output, which backward still needs.
    if (s.dropout > 0 && l < L - 1) entries.push([`l${l}.drop`, T * B * D * H], [`l${l}.mask`, T * B * D * H]);
    for (let d = 0; d < D; d++) {
      for (const [name, { length }] of planDirection(s.cell, { T, B, I, H }, d === 1).slices) {
        // With one direction, layers above the first write dx into the layer below's dh (backward).
        if (name === 'dx' && l > 0 && D === 1) continue;
        const onDemand = D === 1 && ((name === 'dh' && l === L - 1) || (name === 'dx' && l === 0));
        (onDemand ? lazy : entries).push([directionSlice(l, d, name), length]);
      }
    }
  }
  return { plan: plan(entries), lazy: plan(lazy) };
}
