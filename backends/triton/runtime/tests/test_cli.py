"""The command line, run as a user would: a subprocess on the CPU interpreter."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import DEVICE
from solder_runtime import safetensors_io
from tiny_encoder import inputs, make_plan_dir, reference

RUNTIME_ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args):
    env = {**os.environ, "PYTHONPATH": str(RUNTIME_ROOT)}
    if DEVICE == "cpu":
        env["TRITON_INTERPRET"] = "1"
    return subprocess.run([sys.executable, "-m", "solder_runtime", "run", *map(str, args), "--device", DEVICE],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def plan_with_io(tmp_path):
    (tmp_path / "plan").mkdir()
    directory, weights = make_plan_dir(tmp_path / "plan")
    ids, mask = inputs(2, 9, {1: 3})
    hidden, total = reference(weights, ids, mask)
    io = {"in.input_ids": ids, "in.attention_mask": mask, "out.0": hidden.float(), "out.1": total.float()}
    return directory, io, tmp_path


def test_compare_passes_and_writes_outputs(plan_with_io):
    directory, io, tmp = plan_with_io
    safetensors_io.write(tmp / "io.safetensors", io)
    result = run_cli(directory, "--inputs", tmp / "io.safetensors", "--compare", "--out", tmp / "got.safetensors")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok ") == 2
    got = safetensors_io.read(tmp / "got.safetensors")
    assert torch.allclose(got["out.0"], io["out.0"], atol=1e-4)


def test_compare_fails_on_a_wrong_reference(plan_with_io):
    directory, io, tmp = plan_with_io
    io["out.0"] = io["out.0"].clone()
    io["out.0"][1, 4, 7] += 0.01
    safetensors_io.write(tmp / "io.safetensors", io)
    result = run_cli(directory, "--inputs", tmp / "io.safetensors", "--compare")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISMATCH" in result.stdout and "max abs 1.000e-02" in result.stdout


def test_bad_input_is_one_line_and_exit_2(plan_with_io):
    directory, io, tmp = plan_with_io
    del io["in.attention_mask"]
    safetensors_io.write(tmp / "io.safetensors", io)
    result = run_cli(directory, "--inputs", tmp / "io.safetensors")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no tensor for input(s) attention_mask" in result.stderr


def test_bad_plan_dir_is_exit_2(tmp_path):
    result = run_cli(tmp_path, "--inputs", tmp_path / "none.safetensors")
    assert result.returncode == 2 and result.stderr.startswith("solder_runtime: error:")
