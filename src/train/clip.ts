// Gradient clipping by global norm (PyTorch's clip_grad_norm_): the norm of all gradients together,
// then every gradient scaled by min(maxNorm / (norm + 1e-6), 1). Two kernel calls over the flat buffer.
import type { Backend, F32Buffer, NormType } from '../backend/types.js';

/** Returns the total norm before clipping (what PyTorch returns), for logging and divergence checks. */
export function clipGradNorm(backend: Backend, grads: F32Buffer, maxNorm: number, normType: NormType = 2): number {
  if (!(maxNorm > 0 && Number.isFinite(maxNorm))) throw new RangeError(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  const total = backend.grad_norm(grads, normType);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) backend.scale(grads, coef);
  return total;
}
