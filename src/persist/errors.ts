// The one error class of model files: every way a file can fail to load, with a reason code for
// programs and a message for people (what is wrong, what was expected and found, what to do).

export type ModelFileProblem =
  | 'not-a-model-file' // wrong magic bytes
  | 'unsupported-version' // a format version this release cannot read (newer, or 0)
  | 'truncated' // the file ends before the sizes in its preamble say it should
  | 'trailing-bytes' // bytes after the end of the data
  | 'header-too-large' // a header length over the limit, rejected before allocating
  | 'file-too-large' // a file larger than one buffer can hold, rejected before reading it
  | 'checksum' // the CRC-32 does not match: the file is corrupted
  | 'invalid-header' // the header is not valid UTF-8 JSON of the expected structure
  | 'invalid-tensor' // a tensor entry is outside the data, misaligned, overlapping or of the wrong shape
  | 'non-finite'; // a weight is NaN or infinite

/** A model file (or byte array) that cannot be loaded; `problem` says which check failed. */
export class ModelFileError extends Error {
  readonly problem: ModelFileProblem;
  constructor(problem: ModelFileProblem, message: string) {
    super(message);
    this.name = 'ModelFileError';
    this.problem = problem;
  }
}
