// Bit flags of the optimizer kernels, as in native/include/seqcast/kernels.h and assembly/optim.ts.
export const ADAM_AMSGRAD = 1;
export const ADAM_DECOUPLED = 2;
export const SGD_NESTEROV = 1;
export const SGD_FIRST_STEP = 2;
export const RMSPROP_CENTERED = 1;
