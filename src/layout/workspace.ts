// Memory planned up front: every buffer a layer needs for one shape, carved out of ONE backend
// allocation. Nothing grows during training, so WASM views never detach mid-epoch and native
// buffers are touched (page-faulted) once, not per call.
import type { Backend, F32Buffer, LstmDims } from '../backend/types.js';

/** Slices start on 64-byte boundaries (16 floats) so SIMD loads of a row start aligned. */
const ALIGN_FLOATS = 16;

export interface Plan {
  readonly total: number;
  readonly slices: ReadonlyMap<string, { offset: number; length: number }>;
}

export function plan(entries: ReadonlyArray<readonly [string, number]>): Plan {
  const slices = new Map<string, { offset: number; length: number }>();
  let total = 0;
  for (const [name, length] of entries) {
    if (slices.has(name)) throw new Error(`plan: slice '${name}' is listed twice`);
    slices.set(name, { offset: total, length });
    total += Math.ceil(length / ALIGN_FLOATS) * ALIGN_FLOATS;
  }
  return { total, slices };
}

/** One arena allocated once from a backend, with named views into it. */
export class Workspace {
  private arena: F32Buffer | null;
  private readonly views = new Map<string, F32Buffer>();

  constructor(
    private readonly backend: Backend,
    readonly plan: Plan,
  ) {
    this.arena = backend.alloc(Math.max(plan.total, 1));
    for (const [name, { offset, length }] of plan.slices) this.views.set(name, this.arena.sub(offset, length));
  }

  view(name: string): F32Buffer {
    const v = this.views.get(name);
    if (!v) throw new Error(`Workspace: no slice named '${name}' (have ${[...this.views.keys()].join(', ')})`);
    return v;
  }

  /** Zeroes one slice; accumulating kernels need zeroed outputs. */
  zero(name: string): void {
    this.view(name).array.fill(0);
  }

  dispose(): void {
    if (this.arena) this.backend.free(this.arena);
    this.arena = null;
    this.views.clear();
  }
}

/** Floats of the transposed-weight scratch lstm_forward packs once per call: W_ih^T then W_hh^T. */
export function lstmForwardScratch({ I, H }: Pick<LstmDims, 'I' | 'H'>): number {
  return 4 * H * I + 4 * H * H;
}

/**
 * The buffers of one LSTM direction of one layer: what forward saves for backward and the
 * backward scratch. `reversed` adds copies of the input and upstream gradient in reversed time,
 * since the kernel always runs t = 0..T-1.
 */
export function planLstmDirection({ T, B, I, H }: LstmDims, reversed: boolean): Plan {
  const entries: Array<[string, number]> = [
    ['h', T * B * H],
    ['c', T * B * H],
    ['gates', T * B * 4 * H],
    ['w_t', lstmForwardScratch({ I, H })],
    ['dgates', T * B * 4 * H],
    ['dh_next', B * H],
    ['dc_next', B * H],
    ['dh', T * B * H],
    ['dx', T * B * I],
  ];
  if (reversed) entries.push(['x_rev', T * B * I]);
  return plan(entries);
}
