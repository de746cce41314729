#!/usr/bin/env node
// Install-time build of the native addon (npm's `install` script). It never fails the install:
// without cmake or a C++17 compiler the package runs on WebAssembly, and the reason is recorded in
// build/native-build-status.json so the runtime warning and errors can name it.
// SEQCAST_SKIP_NATIVE=1 skips the build (for example to test the WASM-only install).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const statusPath = join(buildDir, 'native-build-status.json');
const logPath = join(buildDir, 'native-build.log');
mkdirSync(buildDir, { recursive: true });

function finish(ok, reason) {
  writeFileSync(statusPath, JSON.stringify({ ok, reason, date: new Date().toISOString() }, null, 2) + '\n');
  if (ok) console.log('seqcast: native backend built (build/Release/seqcast.node)');
  else console.warn(`seqcast: native backend not built, the package will use WebAssembly: ${reason}`);
  process.exit(0);
}

if (process.env.SEQCAST_SKIP_NATIVE === '1') finish(false, 'skipped because SEQCAST_SKIP_NATIVE=1');

const has = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
if (!has('cmake', ['--version'])) finish(false, 'cmake was not found on PATH (install cmake >= 3.15)');
const cxx = process.env.CXX || 'c++';
if (!has(cxx, ['--version'])) finish(false, `no C++ compiler found (${cxx}); install g++ or clang++ with C++17 support`);

let cmakeJs;
try {
  cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
} catch {
  finish(false, 'the cmake-js package is not installed');
}

const run = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', 'build', '--directory', root], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
writeFileSync(logPath, `${run.stdout ?? ''}\n${run.stderr ?? ''}`);
if (run.status !== 0) {
  const lines = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.split('\n').filter((l) => /error/i.test(l));
  finish(false, `cmake-js exited with ${run.status}: ${lines.slice(0, 3).join(' | ') || 'see build/native-build.log'}`);
}
finish(true, null);
