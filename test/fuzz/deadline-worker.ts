// A worker that runs one fuzz case at a time while the test thread waits with a deadline
// (Atomics.wait), so a hang or a dead worker fails that case with its input instead of freezing the
// run. The worker module (csv-worker.ts, model-file-worker.ts) gets { port, flag } in workerData:
// it sets flag[1] when ready and adds 1 to flag[0] after posting each outcome on port.
import { MessageChannel, receiveMessageOnPort, Worker, type ResourceLimits } from 'node:worker_threads';

export class DeadlineWorker<Case, Outcome> {
  private worker!: Worker;
  private port!: MessageChannel['port1'];
  private flag!: Int32Array;
  private done = 0;
  /** Workers replaced after a hang or a death. */
  restarts = 0;

  constructor(
    private readonly entry: URL,
    private readonly caseMs: number,
    private readonly extra: { workerData?: Record<string, unknown>; resourceLimits?: ResourceLimits } = {},
  ) {}

  start(): void {
    const { port1, port2 } = new MessageChannel();
    this.flag = new Int32Array(new SharedArrayBuffer(8));
    this.port = port1;
    this.done = 0;
    // Workers do not inherit vitest's TypeScript loader: register tsx, then import the module.
    const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(this.entry.href)}); });`;
    this.worker = new Worker(bootstrap, {
      eval: true,
      workerData: { ...this.extra.workerData, port: port2, flag: this.flag },
      transferList: [port2],
      ...(this.extra.resourceLimits ? { resourceLimits: this.extra.resourceLimits } : {}),
    });
    this.worker.unref();
    if (Atomics.wait(this.flag, 1, 0, 60_000) === 'timed-out') throw new Error(`fuzz worker ${this.entry.pathname} did not start in 60 s`);
  }

  /** The outcome, or 'hang' after the deadline, also when the worker died (it is then replaced). */
  run(c: Case): Outcome | 'hang' {
    this.port.postMessage(c);
    const r = Atomics.wait(this.flag, 0, this.done, this.caseMs);
    if (r === 'timed-out' && Atomics.load(this.flag, 0) === this.done) {
      void this.worker.terminate();
      this.restarts++;
      this.start();
      return 'hang';
    }
    this.done++;
    const msg = receiveMessageOnPort(this.port);
    if (!msg) throw new Error('fuzz worker signalled without a message');
    return msg.message as Outcome;
  }

  async stop(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}
