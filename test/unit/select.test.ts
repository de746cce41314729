// Backend selection in a fresh process, with the addon path pointed at nothing to simulate an
// install where the native build could not run.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadBackend, backendInfo } from '../../src/backend/select.js';

const ENTRY = new URL('../../src/index.ts', import.meta.url).href;

function runNode(script: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('backend selection', () => {
  it('falls back to WASM with exactly one warning naming the reason when the addon is missing', () => {
    const r = runNode(
      `import { loadBackend } from '${ENTRY}';
       const a = await loadBackend(); await loadBackend();
       console.log(JSON.stringify(a.info()));`,
      { SEQCAST_NATIVE_ADDON: '/nonexistent/seqcast.node', SEQCAST_BACKEND: '' },
    );
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout.trim());
    expect(info).toMatchObject({ name: 'wasm', variant: 'wasm-simd128', threads: 1 });
    expect(info.fallbackReason).toContain('not found');
    const warnings = r.stderr.split('\n').filter((l) => l.includes('SEQCAST_NATIVE_UNAVAILABLE'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('native backend unavailable, using WebAssembly');
  });

  it('asking for native when it cannot load throws, listing the cause and the fix', () => {
    const r = runNode(
      `import { loadBackend } from '${ENTRY}';
       try { await loadBackend({ backend: 'native' }); } catch (e) { console.log(e.name + '\\n' + e.message); }`,
      { SEQCAST_NATIVE_ADDON: '/nonexistent/seqcast.node' },
    );
    expect(r.stdout).toContain('BackendUnavailableError');
    expect(r.stdout).toContain('Could not load the native backend for');
    expect(r.stdout).toContain('/nonexistent/seqcast.node: not found');
    expect(r.stdout).toContain('npm run build:native');
  });

  it('SEQCAST_BACKEND=wasm chooses WASM without a warning', () => {
    const r = runNode(
      `import { backendInfo } from '${ENTRY}'; console.log((await backendInfo()).name);`,
      { SEQCAST_BACKEND: 'wasm' },
    );
    expect(r.stdout.trim()).toBe('wasm');
    expect(r.stderr).not.toContain('SEQCAST_NATIVE_UNAVAILABLE');
  });

  it('rejects an unknown SEQCAST_BACKEND or option value', async () => {
    const r = runNode(`import { loadBackend } from '${ENTRY}'; await loadBackend();`, { SEQCAST_BACKEND: 'gpu' });
    expect(r.stderr).toContain("SEQCAST_BACKEND must be 'native', 'wasm' or 'auto', got 'gpu'");
    await expect(loadBackend({ backend: 'cuda' as never })).rejects.toThrow(
      "backend must be 'auto', 'native' or 'wasm', got 'cuda'",
    );
  });

  it('backendInfo reports the dispatched SIMD level and threads', async () => {
    const info = await backendInfo({ backend: 'wasm' });
    expect(info).toEqual({ name: 'wasm', variant: 'wasm-simd128', threads: 1, fallbackReason: null });
    // On this machine's CPU family the dispatch level must be a real one, not a placeholder.
    const cpuFlags = execFileSync('cat', ['/proc/cpuinfo'], { encoding: 'utf8' });
    const native = await loadBackend({ backend: 'auto' });
    if (native.name === 'native') {
      const expected = /avx512f/.test(cpuFlags) ? 'avx512' : /avx2/.test(cpuFlags) ? 'avx2' : 'scalar';
      expect(native.info().variant).toBe(expected);
      expect(native.info().threads).toBeGreaterThanOrEqual(1);
    }
  });
});
