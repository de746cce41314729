// Exports of the wasm backend (built by `npm run build:wasm` into build/wasm/seqcast.wasm).
// Every kernel mirrors native/include/seqcast/kernels.h: same names, same argument order, usize
// pointers into this module's memory (0 = null) and i32 dims. No imports, no managed types.
export { lstm_forward, lstm_backward } from "./lstm";
export { gru_forward, gru_backward } from "./gru";
export { rnn_forward, rnn_backward } from "./rnn";
export { linear_forward, linear_backward } from "./linear";
export { adam_step, sgd_step, rmsprop_step, grad_norm, scale } from "./optim";
export { gemm_nn, gemm_tn } from "./gemm";
export { stream_pack, stream_step } from "./stream";

// First free byte above static data. The host places its arena allocator at or above this address
// (rounded up to its alignment) and grows memory itself; kernels never allocate.
export function heap_base(): usize {
  return __heap_base;
}
