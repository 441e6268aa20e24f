"""Runs an ONNX model with ONNX Runtime on recorded inputs and compares with recorded outputs.

usage: python3 test/ort_run.py MODEL.onnx NAME.io.safetensors

The safetensors file holds the inputs as `in.<graph input name>` and the reference outputs
as `out.0`, `out.1`, ... in graph output order. Prints one JSON object:
{"outputs": {"out.0": max_abs_error, ...}} and exits 0; any failure prints its reason to
stderr and exits 1.
"""
import json
import sys

import numpy as np
import onnxruntime as ort
from safetensors.numpy import load_file


def main(model_path: str, io_path: str) -> None:
    tensors = load_file(io_path)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    feeds = {}
    for graph_input in session.get_inputs():
        key = f"in.{graph_input.name}"
        if key not in tensors:
            raise SystemExit(f"{io_path} has no {key} for graph input {graph_input.name}")
        feeds[graph_input.name] = tensors[key]
    results = session.run(None, feeds)
    errors = {}
    for i, got in enumerate(results):
        key = f"out.{i}"
        if key not in tensors:
            continue
        want = tensors[key]
        if got.shape != want.shape:
            raise SystemExit(f"output {i}: shape {got.shape}, recorded {want.shape}")
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        errors[key] = float(np.nanmax(diff)) if diff.size else 0.0
        if np.isnan(diff).any():
            errors[key] = float("inf")
    if not errors:
        raise SystemExit(f"{io_path} records none of the model's outputs")
    print(json.dumps({"outputs": errors}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
