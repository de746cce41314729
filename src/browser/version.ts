// Browser twin of persist/version.ts (the browser build puts it in that file's place): the version
// written into model files, fixed at build time from package.json (there is no file system to read).
declare const __SEQCAST_VERSION__: string | undefined;

export function packageVersion(): string {
  return typeof __SEQCAST_VERSION__ === 'string' ? __SEQCAST_VERSION__ : 'unknown';
}
