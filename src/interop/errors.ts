// The error class of weight interchange (safetensors files, Keras weight conversion): every failure
// names the tensor it concerns, when there is one, and says what was expected and what was found.

export type InteropProblem =
  | 'truncated' // fewer bytes than the preamble or an offset says there are
  | 'invalid-header' // the header is not UTF-8 JSON of the safetensors structure
  | 'header-too-large' // a header length over the limit, rejected before allocating
  | 'unsupported-dtype' // a dtype this reader does not convert
  | 'invalid-offsets' // offsets out of range, overlapping, leaving holes, or not matching shape × dtype
  | 'name-mismatch' // tensor names do not match the model
  | 'shape-mismatch' // a tensor's shape does not match what the model or the convention needs
  | 'unsupported-convention'; // a layout that cannot be represented exactly (for example Keras GRU reset_after=False)

export class InteropError extends Error {
  readonly problem: InteropProblem;
  /** The tensor the problem concerns, or null when it concerns the whole file. */
  readonly tensor: string | null;
  constructor(problem: InteropProblem, message: string, tensor: string | null = null) {
    super(message);
    this.name = 'InteropError';
    this.problem = problem;
    this.tensor = tensor;
  }
}
