"""Writes one ONNX LSTM model per bench workload for the onnxruntime-node peer (bench/peers/onnxruntime.mjs).

Reads {"workloads": [...], "out": dir} as JSON on stdin; exports torch.nn.LSTM(I, H, L, batch_first=True)
with inputs x (B, T, I), h0 and c0 (L, B, H) and outputs y, hn, cn, batch and time dynamic, to <out>/<name>.onnx.
The same graph serves whole sequences (inference) and one step at batch 1 with carried state (streaming).
Prints the torch version. Needs only torch: torch.onnx.export serializes without the onnx package.
"""
import json
import os
import sys
import warnings

import torch


def main():
    cfg = json.load(sys.stdin)
    os.makedirs(cfg["out"], exist_ok=True)
    warnings.filterwarnings("ignore")  # shape-inference chatter from the exporter, irrelevant to the graph
    for w in cfg["workloads"]:
        torch.manual_seed(0)
        net = torch.nn.LSTM(w["inputSize"], w["hiddenSize"], w["numLayers"], batch_first=True).eval()
        x = torch.randn(2, 3, w["inputSize"])
        h0 = torch.zeros(w["numLayers"], 2, w["hiddenSize"])
        c0 = torch.zeros(w["numLayers"], 2, w["hiddenSize"])
        batch = {1: "batch"}
        torch.onnx.export(
            net, (x, (h0, c0)), os.path.join(cfg["out"], w["name"] + ".onnx"),
            input_names=["x", "h0", "c0"], output_names=["y", "hn", "cn"],
            dynamic_axes={"x": {0: "batch", 1: "time"}, "y": {0: "batch", 1: "time"},
                          "h0": batch, "c0": batch, "hn": batch, "cn": batch},
            opset_version=14)
    print(torch.__version__)


if __name__ == "__main__":
    main()
