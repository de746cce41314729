// Memory planned up front: every buffer a layer needs for one shape, carved out of ONE backend
// allocation. Nothing grows during training, so WASM views never detach mid-epoch and native
// buffers are touched (page-faulted) once, not per call.
import type { Backend, F32Buffer } from '../backend/types.js';

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

/**
 * One arena allocated once from a backend, with named views into it. Slices of the optional `lazy`
 * plan (buffers only some calls need) get a second arena, allocated the first time one is viewed.
 */
export class Workspace {
  private arena: F32Buffer | null;
  private lazyArena: F32Buffer | null = null;
  private readonly views = new Map<string, F32Buffer>();

  constructor(
    private readonly backend: Backend,
    readonly plan: Plan,
    readonly lazy: Plan | null = null,
  ) {
    this.arena = backend.alloc(Math.max(plan.total, 1));
    for (const [name, { offset, length }] of plan.slices) this.views.set(name, this.arena.sub(offset, length));
  }

  view(name: string): F32Buffer {
    const v = this.views.get(name);
    if (v) return v;
    if (this.lazy?.slices.has(name) && this.arena && !this.lazyArena) {
      this.lazyArena = this.backend.alloc(Math.max(this.lazy.total, 1));
      for (const [n, { offset, length }] of this.lazy.slices) this.views.set(n, this.lazyArena.sub(offset, length));
      return this.views.get(name)!;
    }
    throw new Error(`Workspace: no slice named '${name}' (have ${[...this.views.keys()].join(', ')})`);
  }

  /** Zeroes one slice; accumulating kernels need zeroed outputs. */
  zero(name: string): void {
    this.view(name).array.fill(0);
  }

  dispose(): void {
    if (this.arena) this.backend.free(this.arena);
    if (this.lazyArena) this.backend.free(this.lazyArena);
    this.arena = null;
    this.lazyArena = null;
    this.views.clear();
  }
}
