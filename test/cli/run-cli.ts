// Runs the seqcast command line as a subprocess: through the real bin/seqcast.js (which imports dist/)
// when dist/ is up to date, else from the TypeScript sources through tsx, so the tests never depend on
// a stale dist/.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/seqcast.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnNode(args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every .ts under src/ has its compiled .js under dist/, at least as new: dist is what the sources say. */
function distIsFresh(dir = join(ROOT, 'src')): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!distIsFresh(path)) return false;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const js = join(ROOT, 'dist', relative(join(ROOT, 'src'), path)).replace(/\.ts$/, '.js');
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) return false;
    }
  }
  return true;
}

/**
 * Where the subprocesses run from: dist/ when it is up to date with src/ (as after `npm ci`, whose
 * prepare script builds it; start-up then costs a third of the CPU time), else the sources through tsx.
 * SEQCAST_CLI_FROM=source forces the sources.
 */
export const FROM_DIST = process.env.SEQCAST_CLI_FROM !== 'source' && distIsFresh();

/**
 * `seqcast <args>`, from dist/ when fresh, else from source. The working directory is the repository root by default: the training
 * worker, when run from TypeScript, imports tsx by a bare name that resolves from there.
 */
export function cli(args: string[], { cwd = ROOT, env = {} }: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return spawnNode(FROM_DIST ? [BIN, ...args] : ['--import', TSX, MAIN, ...args], cwd, env);
}

/** `seqcast <args>` through bin/seqcast.js and dist/. */
export function bin(args: string[], { cwd = ROOT, env = {} }: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return spawnNode([BIN, ...args], cwd, env);
}

/** Asserts nothing a user should not see: no stack-trace lines. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(text) || /^\s+at .+:\d+:\d+$/m.test(text);
}
