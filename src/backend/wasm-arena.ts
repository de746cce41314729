// A first-fit free-list allocator over WebAssembly memory, above the module's __heap_base.
// Workspaces are planned once per shape, so allocation is rare; freed blocks are coalesced so a long
// training run that re-plans reuses memory instead of growing it without bound.

const ALIGN = 64; // bytes: every block starts on a cache line
const PAGE = 65536;

interface Block {
  start: number;
  size: number;
}

export class WasmArena {
  private free: Block[] = [];
  private readonly used = new Map<number, number>();
  private end: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.end = Math.ceil(Math.max(heapBase, ALIGN) / ALIGN) * ALIGN; // never hand out address 0 (= null)
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const i = this.free.findIndex((b) => b.size >= size);
    let start: number;
    if (i >= 0) {
      const block = this.free[i];
      start = block.start;
      if (block.size === size) this.free.splice(i, 1);
      else this.free[i] = { start: block.start + size, size: block.size - size };
    } else {
      start = this.end;
      this.end += size;
      const needPages = Math.ceil(this.end / PAGE) - this.memory.buffer.byteLength / PAGE;
      if (needPages > 0) {
        try {
          this.memory.grow(needPages);
        } catch {
          this.end -= size;
          throw new RangeError(
            `wasm backend: out of memory allocating ${bytes} bytes (${this.end} in use of WebAssembly's 4 GiB); ` +
              'use smaller batches or sequences, or the native backend',
          );
        }
      }
    }
    new Uint8Array(this.memory.buffer, start, size).fill(0);
    this.used.set(start, size);
    return start;
  }

  release(start: number): void {
    const size = this.used.get(start);
    if (size === undefined) throw new Error(`wasm backend: free of unknown or already freed block at ${start}`);
    this.used.delete(start);
    this.free.push({ start, size });
    this.free.sort((a, b) => a.start - b.start);
    const merged: Block[] = [];
    for (const b of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.start + last.size === b.start) last.size += b.size;
      else merged.push({ ...b });
    }
    // A free block at the top shrinks the high-water mark, so it is reused first by bump allocation.
    const top = merged[merged.length - 1];
    if (top && top.start + top.size === this.end) {
      this.end = top.start;
      merged.pop();
    }
    this.free = merged;
  }
}
