// seqcast info: the package version and the compute backend this machine uses (SIMD level, threads).
import type { Command } from 'commander';
import { backendInfo } from '../../backend/select.js';
import { FORECASTER_VERSION } from '../../forecast/forecaster-file.js';
import { FORMAT_VERSION } from '../../persist/format.js';
import { packageVersion } from '../../persist/version.js';
import { keyValues } from '../format.js';
import type { Output } from '../output.js';
import { addOutputOptions, backendOptions, type OutputOptions } from '../settings.js';

export function infoCommand(program: Command, out: Output): void {
  const cmd = program.command('info').description('version, compute backend, SIMD level and threads');
  addOutputOptions(cmd, { plot: false });
  cmd.action(async (o: OutputOptions) => {
    out.configure(o);
    const b = await backendInfo(backendOptions(o));
    const doc = {
      version: packageVersion(),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      backend: b.name,
      simd: b.variant,
      threads: b.threads,
      fallbackReason: b.fallbackReason,
      modelFileVersion: FORMAT_VERSION,
      forecasterFileVersion: FORECASTER_VERSION,
    };
    out.json(() => doc);
    out.text(() => {
      const rows: [string, string][] = [
        ['backend', b.name === 'native' ? 'native (C++ N-API addon)' : 'wasm (WebAssembly)'],
        ['SIMD', b.variant],
        ['threads', String(b.threads)],
        ...(b.fallbackReason ? [['fallback reason', b.fallbackReason] as [string, string]] : []),
        ['model file version', `${FORMAT_VERSION} (forecaster section ${FORECASTER_VERSION})`],
      ];
      return `seqcast ${doc.version} on Node ${doc.node} (${doc.platform})\n\n${keyValues(rows)}`;
    });
  });
}
