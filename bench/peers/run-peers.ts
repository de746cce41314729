// The JavaScript peers of `npm run bench -- --peers`: TensorFlow.js (wasm and cpu backends), brain.js
// and onnxruntime-node, each in a child process from this folder, which has its own package.json and
// lockfile and is installed on demand (`npm install --ignore-scripts --prefix bench/peers`): none of
// them is a dependency of seqcast. A peer that fails to install, load or finish is skipped with a
// message, never an error. The runners are plain .mjs files so the type check never needs these packages.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { tunedEnv } from '../pytorch.js';
import type { Workload } from '../workloads.js';

export type PeerSystem = 'tfjs-wasm' | 'tfjs-cpu' | 'brainjs' | 'onnxruntime';

export interface PeerResult {
  system: PeerSystem;
  workload: string;
  threads: number;
  train_seq_per_s?: number;
  infer_seq_per_s?: number;
  stream_us_per_step?: number;
  version: string;
  notes: string[];
}

/** Milliseconds of timing per measurement; slow peers time fewer calls (or a smaller batch) within it. */
export interface PeerBudget {
  train: number;
  infer: number;
  stream: number;
}

const DIR = fileURLToPath(new URL('.', import.meta.url));
const NODE_MODULES = `${DIR}node_modules`;
/** Exported ONNX models live with the installed peers, so they go wherever node_modules goes. */
const ONNX_DIR = `${NODE_MODULES}/.cache/seqcast-onnx`;
/** A peer still running after this long is stopped and skipped: the bench must finish. */
const PEER_TIMEOUT_MS = 180_000;

function log(message: string): void {
  console.error(`peers: ${message}`);
}

/** Installs the peers into bench/peers/node_modules when missing. Returns a reason when that failed. */
export function ensurePeersInstalled(): string | null {
  if (existsSync(NODE_MODULES)) return null;
  log('installing brain.js, @tensorflow/tfjs, @tensorflow/tfjs-backend-wasm, onnxruntime-node into bench/peers (once)');
  const r = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', DIR], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 600_000,
  });
  if (r.status === 0) return null;
  return `npm install --ignore-scripts --prefix bench/peers failed (${r.error?.message ?? `exit ${r.status}`})`;
}

/** Runs one runner script; returns what it printed before any failure, and the failure as a message. */
function runRunner(script: string, job: object, label: string): { results: PeerResult[]; skipped: string | null } {
  const r = spawnSync(process.execPath, [`${DIR}${script}`, JSON.stringify(job)], {
    cwd: DIR,
    encoding: 'utf8',
    timeout: PEER_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const results: PeerResult[] = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      results.push(JSON.parse(line) as PeerResult);
    } catch {
      // a library's own console output that happens to start with '{': not ours
    }
  }
  if (r.status === 0) return { results, skipped: null };
  const why = r.error?.message ?? (r.signal ? `stopped by ${r.signal} after ${PEER_TIMEOUT_MS / 1000} s` : `exit ${r.status}`);
  // Node ends an uncaught error's report with its version line: quote the error line itself.
  const lines = (r.stderr ?? '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Node.js v'));
  const cause = lines.find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? lines.pop() ?? '';
  return { results, skipped: `${label}: skipped the rest (${why}${cause ? `: ${cause.slice(0, 200)}` : ''})` };
}

/** Exports the workloads' LSTMs to ONNX with torch; returns a reason when it could not. */
function exportOnnx(python: string | null, workloads: Workload[]): string | null {
  if (!python) return 'onnxruntime: skipped (its models are exported with torch.onnx.export, and no python3 with torch was found)';
  const r = spawnSync(python, [`${DIR}export_onnx.py`], {
    input: JSON.stringify({ workloads, out: ONNX_DIR }),
    encoding: 'utf8',
    env: tunedEnv(),
    timeout: 120_000,
  });
  if (r.status === 0) return null;
  return `onnxruntime: skipped (ONNX export failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? `exit ${r.status}`})`;
}

/**
 * Every peer on every workload (LSTM: the only cell every peer has). `python` is a python3 with torch
 * (for the ONNX export) or null. Messages say what was skipped and why.
 */
export function runPeers(workloads: Workload[], budget: PeerBudget, python: string | null): { results: PeerResult[]; messages: string[] } {
  const messages: string[] = [];
  const installFailure = ensurePeersInstalled();
  if (installFailure) return { results: [], messages: [`peers: all skipped (${installFailure})`] };
  const results: PeerResult[] = [];
  const collect = (run: { results: PeerResult[]; skipped: string | null }): void => {
    results.push(...run.results);
    if (run.skipped) messages.push(run.skipped);
  };
  const job = { workloads, budgetMs: budget };
  for (const backend of ['wasm', 'cpu']) {
    log(`tfjs-${backend}`);
    collect(runRunner('tfjs.mjs', { ...job, backend }, `tfjs-${backend}`));
  }
  log('brainjs');
  collect(runRunner('brainjs.mjs', job, 'brainjs'));
  const onnxFailure = exportOnnx(python, workloads);
  if (onnxFailure) messages.push(onnxFailure);
  else
    for (const threads of [...new Set([1, cpus().length])]) {
      log(`onnxruntime, ${threads} thread(s)`);
      collect(runRunner('onnxruntime.mjs', { ...job, threads, modelDir: ONNX_DIR }, `onnxruntime (${threads} thr)`));
    }
  return { results, messages };
}
