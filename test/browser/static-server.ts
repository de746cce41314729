// A tiny static file server for the end-to-end test: the built demo at /, the raw browser bundle at
// /bundle/ (for the plain <script type="module"> page), and test fixtures at /fixtures/. Serves
// .wasm as application/wasm (streaming compilation) and, unless told not to, the two headers that
// make a page cross-origin isolated (SharedArrayBuffer, so fit() cancels as in Node); a page asked for
// with ?isolated=0 gets neither, to test the fallback.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.csv': 'text/csv', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** mounts: URL prefix ('/', '/bundle/') -> folder; pages: extra HTML by path. */
export async function serveStatic(mounts: Record<string, string>, pages: Record<string, string> = {}): Promise<StaticServer> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Only a document's headers decide whether its page is isolated: ?isolated=0 turns them off.
    if (url.searchParams.get('isolated') !== '0') {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (pages[url.pathname] !== undefined) {
      res.writeHead(200, { 'content-type': TYPES['.html'] }).end(pages[url.pathname]);
      return;
    }
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    const rest = prefix ? normalize(decodeURIComponent(url.pathname.slice(prefix.length))) : '';
    let file = prefix && !rest.startsWith('..') ? join(mounts[prefix], rest) : '';
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${url.pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
