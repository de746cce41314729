// seqcast public surface.
export { Recurrent } from './model/recurrent.js';
export type { RecurrentOptions, ForwardOptions, RecurrentOutput, BackwardOptions, InputGrads, NamedTensor } from './model/recurrent.js';
export { loadBackend, availableBackends, backendInfo } from './backend/select.js';
export type { BackendOptions } from './backend/select.js';
export type { Backend, BackendInfo, BackendName, F32Buffer, CellDims, Nonlinearity } from './backend/types.js';
export type { CellKind } from './layout/cells.js';
export { ShapeError, NonFiniteError, BackendUnavailableError, BusyError } from './errors.js';
export type { LoadAttempt } from './errors.js';
export * as reference from './backend/reference.js';
