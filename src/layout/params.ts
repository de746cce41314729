// Parameter layout: every weight and bias of a recurrent stack in ONE flat buffer, in PyTorch's
// state_dict order and shapes, so gradients share the layout and an optimizer is one flat loop.

import { GATES, type CellKind } from './cells.js';

export interface StackConfig {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

export type ParamKind = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';

export interface ParamEntry {
  /** PyTorch state_dict key, e.g. weight_ih_l0_reverse. */
  name: string;
  kind: ParamKind;
  layer: number;
  direction: 0 | 1;
  shape: number[];
  offset: number;
  length: number;
}

export interface ParamLayout {
  entries: ParamEntry[];
  byName: Map<string, ParamEntry>;
  total: number;
}

const ALIGN_FLOATS = 16;

export function paramLayout(cfg: StackConfig): ParamLayout {
  const G = GATES[cfg.cell];
  const H = cfg.hiddenSize;
  const D = cfg.bidirectional ? 2 : 1;
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (let layer = 0; layer < cfg.numLayers; layer++) {
    const inWidth = layer === 0 ? cfg.inputSize : D * H;
    for (let direction = 0 as 0 | 1; direction < D; direction++) {
      const suffix = `_l${layer}${direction === 1 ? '_reverse' : ''}`;
      const shapes: Array<[ParamKind, number[]]> = [
        ['weight_ih', [G * H, inWidth]],
        ['weight_hh', [G * H, H]],
        ['bias_ih', [G * H]],
        ['bias_hh', [G * H]],
      ];
      for (const [kind, shape] of shapes) {
        const length = shape.reduce((a, b) => a * b, 1);
        entries.push({ name: kind + suffix, kind, layer, direction, shape, offset, length });
        offset += Math.ceil(length / ALIGN_FLOATS) * ALIGN_FLOATS;
      }
    }
  }
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), total: offset };
}
