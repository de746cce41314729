// Error classes of the public surface. Messages say where, what was expected, what was received and,
// when known, how to fix it; tests assert the text, so a message change is deliberate.

/** A buffer or option has the wrong size or layout for the shapes it is used with. */
export class ShapeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** An input holds NaN or ±Infinity where only finite numbers are allowed. */
export class NonFiniteError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

/** One reason a backend could not be loaded, kept for the error message and backendInfo(). */
export interface LoadAttempt {
  backend: 'native' | 'wasm';
  where: string;
  reason: string;
}

/** The backend asked for explicitly could not be loaded; the message lists every cause and a fix. */
export class BackendUnavailableError extends Error {
  readonly attempts: LoadAttempt[];
  constructor(wanted: 'native' | 'wasm', attempts: LoadAttempt[], fix: string) {
    const causes = attempts.filter((a) => a.backend === wanted).map((a) => `  ${a.where}: ${a.reason}`);
    // globalThis: the browser build throws this too, and has no process.
    const node = (globalThis as { process?: NodeJS.Process }).process;
    const host = node?.versions?.node ? `${node.platform}-${node.arch} (Node ${node.versions.node})` : 'this browser';
    super(
      `Could not load the ${wanted} backend for ${host}.\n` +
        `${causes.join('\n')}\nPossible solutions: ${fix}`,
    );
    this.name = 'BackendUnavailableError';
    this.attempts = attempts;
  }
}

/** A model or layer was called again before its previous asynchronous call settled. */
export class BusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusyError';
  }
}
