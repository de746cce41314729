// Tuned PyTorch on the same workloads, when a python3 with torch is present; skipped cleanly otherwise.
// Tuned = OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS then picks its AVX-512 kernels) and
// glibc huge pages for malloc (first-touch page faults are costly on these VMs).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Workload } from './workloads.js';
import type { CellKind } from '../src/layout/cells.js';

export interface TorchTiming {
  cell: CellKind;
  name: string;
  threads: number;
  forwardMs: number;
  forwardBackwardMs: number;
  /** forward, backward, MSE on Linear(H, 1) over the last step, Adam.step() */
  trainMs: number;
  /** One step at batch 1 under no_grad, the previous call's state carried in, microseconds. */
  streamUs: number;
  torch: string;
}

const SCRIPT = fileURLToPath(new URL('./pytorch_rnn.py', import.meta.url));

export function tunedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Debian's python3-torch lives under /usr/bin/python3; a pyenv python3 on PATH usually lacks torch. */
export function findTorchPython(): string | null {
  for (const py of [process.env.SEQCAST_BENCH_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!py) continue;
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', env: tunedEnv() }).status === 0) return py;
  }
  return null;
}

export function runPytorch(
  python: string,
  cells: CellKind[],
  workloads: Workload[],
  threads: number[],
  { minSeconds = 1.5, minRuns = 5 } = {},
): TorchTiming[] {
  const r = spawnSync(python, [SCRIPT], {
    input: JSON.stringify({ cells, workloads, threads, minSeconds, minRuns }),
    encoding: 'utf8',
    env: tunedEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`PyTorch bench failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TorchTiming);
}
