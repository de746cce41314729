"""PyTorch's nn.LSTM / nn.GRU / nn.RNN on the seqcast bench workloads, float32, for `npm run bench`.

Reads the cells and workloads as JSON on stdin, prints one JSON line per cell, workload and thread count with the
median milliseconds of forward (inference, no_grad), forward+backward, and a full training step (Linear head on
the last step, MSE, Adam), as seqcast's bench measures them, and the microseconds of one streaming step (batch 1,
one time step, the state of the previous call carried in). "minSeconds" (default 1.5) and "minRuns" (default 5)
bound each measurement. Run it through bench/run.ts, which sets the tuned environment (OpenBLAS AVX-512 kernels,
glibc huge pages).
"""
import json
import statistics
import sys
import time

import torch


def median_ms(fn, min_s=1.5, min_runs=5, max_runs=200, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < min_s and len(times) < max_runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), len(times)


def main():
    cfg = json.load(sys.stdin)
    min_s = cfg.get("minSeconds", 1.5)
    min_runs = cfg.get("minRuns", 5)
    modules = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
    for threads in cfg["threads"]:
        torch.set_num_threads(threads)
        for cell in cfg["cells"]:
            for w in cfg["workloads"]:
                torch.manual_seed(0)
                net = modules[cell](w["inputSize"], w["hiddenSize"], w["numLayers"], batch_first=True)
                x = torch.randn(w["batchSize"], w["seqLen"], w["inputSize"])
                up = torch.randn(w["batchSize"], w["seqLen"], w["hiddenSize"])

                def forward():
                    with torch.no_grad():
                        net(x)

                def forward_backward():
                    net.zero_grad(set_to_none=False)
                    out, _ = net(x)
                    out.backward(up)

                head = torch.nn.Linear(w["hiddenSize"], 1)
                y = torch.randn(w["batchSize"], 1)
                adam = torch.optim.Adam(list(net.parameters()) + list(head.parameters()), lr=1e-3)
                mse = torch.nn.MSELoss()

                def train_step():
                    adam.zero_grad(set_to_none=False)
                    out, _ = net(x)
                    loss = mse(head(out[:, -1, :]), y)
                    loss.backward()
                    adam.step()

                x_step = torch.randn(1, 1, w["inputSize"])
                state = [None]

                def stream_step():
                    with torch.no_grad():
                        y, state[0] = net(x_step, state[0])

                fwd, fwd_runs = median_ms(forward, min_s, min_runs)
                fb, fb_runs = median_ms(forward_backward, min_s, min_runs)
                tr, tr_runs = median_ms(train_step, min_s, min_runs)
                stream, _ = median_ms(stream_step, min_s / 3, max_runs=2000, warmup=10)
                print(json.dumps({"cell": cell, "name": w["name"], "threads": threads, "forwardMs": fwd,
                                  "forwardBackwardMs": fb, "trainMs": tr, "streamUs": stream * 1000,
                                  "runs": fwd_runs + fb_runs + tr_runs, "torch": torch.__version__}),
                      flush=True)


if __name__ == "__main__":
    main()
