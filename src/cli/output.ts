// Where a subcommand's result goes: text for people, or with --json exactly one JSON document on
// stdout. Progress and warnings go to stderr, so stdout holds only the result either way.

/** JSON with typed arrays as plain arrays and non-finite numbers as null (JSON has no NaN). */
export function toJson(doc: unknown): string {
  return JSON.stringify(
    doc,
    (_key, v: unknown) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      return v;
    },
    2,
  );
}

export class Output {
  private jsonMode = false;
  private written = false;

  constructor(private readonly write: (s: string) => void = (s) => process.stdout.write(s)) {}

  /** Called by each subcommand with its parsed options. */
  configure(o: { json?: boolean }): void {
    this.jsonMode = Boolean(o.json);
  }

  get isJson(): boolean {
    return this.jsonMode;
  }

  /** The result for people (skipped with --json). */
  text(make: () => string): void {
    if (!this.jsonMode) this.write(make() + '\n');
  }

  /** The result for programs (only with --json); at most one document per run. */
  json(make: () => unknown): void {
    if (!this.jsonMode) return;
    if (this.written) throw new Error('Output.json: a subcommand printed two JSON documents');
    this.written = true;
    this.write(toJson(make()) + '\n');
  }
}
