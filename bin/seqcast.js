#!/usr/bin/env node
// The seqcast command. The code lives in dist/cli (compiled from src/cli by `npm run build:ts`, which
// `npm install` runs through the prepare script).
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist')) {
    process.stderr.write('seqcast: error: the compiled code in dist/ is missing; run `npm run build:ts` in the package folder\n');
    process.exit(1);
  }
  throw e;
}
await cli.run(process.argv.slice(2));
