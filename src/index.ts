// seqcast public surface.
export { Lstm } from './model/lstm.js';
export type { LstmOptions, LstmForwardOptions, LstmOutput, LstmBackwardOptions, LstmInputGrads, NamedTensor } from './model/lstm.js';
export { loadBackend, availableBackends, backendInfo } from './backend/select.js';
export type { BackendOptions } from './backend/select.js';
export type { Backend, BackendInfo, BackendName, F32Buffer, LstmDims } from './backend/types.js';
export { ShapeError, NonFiniteError, BackendUnavailableError, BusyError } from './errors.js';
export type { LoadAttempt } from './errors.js';
export * as reference from './backend/reference.js';
