// Training progress on stderr with cli-progress: which fit of how many, and, when the forecaster reports
// epochs, the epoch, training and validation loss, sequences per second and the ETA. Silent when stdout
// or stderr is not a terminal or with --quiet, so pipes, logs and --json output stay clean. The epoch
// losses are kept either way: they are the training curves of the plot.
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../train/fit-loop.js';

/** What a forecaster reports per batch: SequenceModel's event, plus which network of the ensemble. */
export interface ForecastProgressEvent extends ProgressEvent {
  /** 0-based index of the network being trained, and how many there are. */
  member?: number;
  members?: number;
  /** Which round of training, when the forecaster trains more than once (e.g. 'select', 'refit'). */
  phase?: string;
}

/** One epoch of one network: a point of the training curves. */
export interface CurvePoint {
  /** What was being fitted, e.g. 'lstm' or 'origin 2/3'. */
  fit: string;
  phase: string | null;
  member: number;
  epoch: number;
  loss: number;
  valLoss: number | null;
}

const SCALE = 1000; // bar units per fit, so a fit's share fills smoothly

const fmt = (v: number | null): string => (v === null || !Number.isFinite(v) ? '-' : v < 0.01 ? v.toExponential(2) : v.toFixed(3));

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Whether a progress bar may be drawn: both streams are terminals and the user did not ask for quiet. */
export function progressWanted(quiet: boolean | undefined): boolean {
  return !quiet && Boolean(process.stderr.isTTY) && Boolean(process.stdout.isTTY);
}

export class TrainingProgress {
  readonly curves: CurvePoint[] = [];
  private readonly bar: cliProgress.SingleBar | null;
  private fitsDone = 0;
  private label = '';
  private detail = 'starting';
  /** Bar position in units of SCALE per fit. */
  private value = 0;
  private started = 0;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private epochLoss = { sum: 0, count: 0 };

  constructor(
    fits: number,
    show: boolean,
    stream: NodeJS.WritableStream = process.stderr,
  ) {
    this.bar = show
      ? new cliProgress.SingleBar(
          {
            stream,
            format: '{stage} |{bar}| {percentage}% | {detail} | {elapsed}',
            barsize: 24,
            hideCursor: true,
            clearOnComplete: true,
            fps: 8,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar?.start(fits * SCALE, 0, { stage: 'training', detail: this.detail, elapsed: '0s' });
  }

  /** Call before each fit; returns the onProgress callback to give the forecaster. */
  startFit(label: string): (e: ForecastProgressEvent) => void {
    this.label = label;
    this.detail = 'preparing the data';
    this.started = performance.now();
    this.value = this.fitsDone * SCALE;
    // Without epoch events (or between them) the elapsed time still moves, so the user sees it is alive.
    if (this.bar && !this.ticker) this.ticker = setInterval(() => this.redraw(), 250);
    this.redraw();
    return (e) => this.onEvent(e);
  }

  private onEvent(e: ForecastProgressEvent): void {
    const member = e.member ?? 0;
    const members = e.members ?? 1;
    // Events carry each batch's loss; the curve point is the epoch's mean, as FitResult.history keeps it.
    if (e.batch === 1) this.epochLoss = { sum: 0, count: 0 };
    this.epochLoss.sum += e.loss;
    this.epochLoss.count++;
    if (e.batch === e.batches)
      this.curves.push({ fit: this.label, phase: e.phase ?? null, member, epoch: e.epoch, loss: this.epochLoss.sum / this.epochLoss.count, valLoss: e.valLoss });
    if (!this.bar) return;
    // A forecaster that selects epochs on validation and then refits trains every network twice: the
    // first half of its share of the bar is 'select', the second 'refit' (skipped when it falls back).
    const rounds = e.phase === 'select' || e.phase === 'refit' ? 2 : 1;
    const round = e.phase === 'refit' ? 1 : 0;
    const done = (round + (member + (e.epoch - 1 + e.batch / e.batches) / e.epochs) / members) / rounds;
    const net = `${e.phase ? `${e.phase} ` : ''}${members > 1 ? `net ${member + 1}/${members} · ` : e.phase ? '· ' : ''}`;
    const val = e.valLoss !== null ? ` val ${fmt(e.valLoss)}` : (this.lastVal(member) ?? '');
    this.detail = `${net}epoch ${e.epoch}/${e.epochs} · loss ${fmt(e.loss)}${val} · ${Math.round(e.seqPerSec)} seq/s · ETA ${duration(e.etaSeconds)}`;
    this.value = (this.fitsDone + Math.min(done, 1)) * SCALE;
    this.redraw();
  }

  /** The latest validation loss of this network, so the bar does not flicker between batches. */
  private lastVal(member: number): string | null {
    for (let i = this.curves.length - 1; i >= 0; i--) {
      const p = this.curves[i];
      if (p.fit !== this.label || p.member !== member || p.phase !== (this.curves[this.curves.length - 1]?.phase ?? null)) break;
      if (p.valLoss !== null) return ` val ${fmt(p.valLoss)}`;
    }
    return null;
  }

  private redraw(): void {
    if (!this.bar) return;
    this.bar.update(this.value, { stage: this.label, detail: this.detail, elapsed: duration((performance.now() - this.started) / 1000) });
  }

  endFit(): void {
    this.fitsDone++;
    this.detail = 'done';
    this.value = this.fitsDone * SCALE;
    this.redraw();
  }

  /** Removes the bar (call in finally, so an error message is not drawn over it). */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.bar?.stop();
  }
}
