// Learning-rate schedules, applied once per epoch (as PyTorch's StepLR, CosineAnnealingLR and
// ReduceLROnPlateau are usually stepped).
export type ScheduleSpec =
  | { name: 'step'; stepSize: number; gamma?: number }
  | { name: 'cosine'; tMax: number; etaMin?: number }
  | { name: 'plateau'; factor?: number; patience?: number; threshold?: number; minLr?: number };

export interface Schedule {
  /** The learning rate for the next epoch, given the epoch just finished (from 1) and its validation loss. */
  next(epoch: number, metric: number | null): number;
}

export function createSchedule(spec: ScheduleSpec, baseLr: number): Schedule {
  switch (spec.name) {
    case 'step': {
      const gamma = spec.gamma ?? 0.1;
      if (!(Number.isInteger(spec.stepSize) && spec.stepSize > 0))
        throw new RangeError(`schedule 'step': stepSize must be a positive integer, got ${spec.stepSize}`);
      return { next: (epoch) => baseLr * gamma ** Math.floor(epoch / spec.stepSize) };
    }
    case 'cosine': {
      const etaMin = spec.etaMin ?? 0;
      if (!(spec.tMax > 0)) throw new RangeError(`schedule 'cosine': tMax must be > 0, got ${spec.tMax}`);
      return { next: (epoch) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * Math.min(epoch, spec.tMax)) / spec.tMax))) / 2 };
    }
    case 'plateau': {
      const factor = spec.factor ?? 0.1;
      const patience = spec.patience ?? 10;
      const threshold = spec.threshold ?? 1e-4;
      const minLr = spec.minLr ?? 0;
      if (!(factor > 0 && factor < 1)) throw new RangeError(`schedule 'plateau': factor must be in (0, 1), got ${factor}`);
      let lr = baseLr;
      let best = Infinity;
      let bad = 0;
      // Relative threshold ('rel' mode, PyTorch's default): better means below best * (1 - threshold).
      return {
        next: (_epoch, metric) => {
          if (metric === null) throw new RangeError("schedule 'plateau' needs a validation loss: give validation data or validationSplit");
          if (metric < best * (1 - threshold)) {
            best = metric;
            bad = 0;
          } else if (++bad > patience) {
            lr = Math.max(minLr, lr * factor);
            bad = 0;
          }
          return lr;
        },
      };
    }
    default:
      throw new RangeError(`schedule name must be 'step', 'cosine' or 'plateau', got '${String((spec as { name?: string })?.name)}'`);
  }
}
