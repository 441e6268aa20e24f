"""Tensor-parallel plans over 2 ranks on the CPU: torchrun, gloo, Triton's interpreter.

The plans come from the TypeScript side (`solder plan --tensor-parallel 2`, run through
node from the repository), for llama's grouped-query export when ../shared/models is
there, else the bundled BERT example. The 2-rank outputs must match the 1-rank plan's
and the recorded PyTorch outputs, on every rank; swapping two ranks' weight slices must not.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import DEVICE, close
from solder_runtime import Plan, PlanError, distributed, safetensors_io

RUNTIME_ROOT = Path(__file__).resolve().parents[1]
REPO = Path(__file__).resolve().parents[4]
TSX = REPO / "node_modules" / ".bin" / "tsx"
LLAMA = (REPO.parent / "shared" / "models" / "llama.eager.onnx", REPO.parent / "shared" / "models" / "llama.eager.io.safetensors")
BERT = (REPO / "examples" / "bert.sdpa.dynamo.onnx", REPO / "examples" / "bert.sdpa.io.safetensors")
MODEL, RECORDING = LLAMA if LLAMA[0].exists() else BERT

pytestmark = pytest.mark.skipif(not TSX.exists() or shutil.which("node") is None,
                                reason="tensor-parallel runtime tests need the repository's node + tsx to emit plans")


def solder_plan(out: Path, *extra: str) -> None:
    """`solder plan` as a user runs it, from the TypeScript sources."""
    cmd = [str(TSX), str(REPO / "debugger" / "cli" / "main.ts"), "plan", str(MODEL), "-o", str(out),
           "--dtype", "float32", "--max-batch", "2", "--max-seq", "16", *extra]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def cpu_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(RUNTIME_ROOT), "TRITON_INTERPRET": "1"}


def torchrun(*args, ranks: int = 2):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(ranks), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=cpu_env(), cwd=RUNTIME_ROOT, timeout=600)


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    root = tmp_path_factory.mktemp("tp")
    solder_plan(root / "one")
    solder_plan(root / "two", "--tensor-parallel", "2")
    return root


@pytest.fixture(scope="module")
def one_rank_outputs(plans):
    recorded = safetensors_io.read(RECORDING)
    plan = Plan.load(plans / "one").to(DEVICE)
    got = plan(**{n: recorded[f"in.{n}"].to(DEVICE) for n in plan.input_names})
    return [got[n].cpu() for n in plan.output_names]


def test_plan_directory_has_one_plan_per_rank(plans):
    assert sorted(p.name for p in (plans / "two").iterdir()) == ["rank-0", "rank-1"]
    for rank in (0, 1):
        spec = Plan.load(plans / "two" / f"rank-{rank}").spec
        assert spec["tensor_parallel"] == {"world_size": 2, "rank": rank}
        assert sum(launch["kernel"] == "all_reduce" for launch in spec["launches"]) == 4  # 2 layers x (attention, MLP)


def test_torchrun_two_ranks_match_one_rank_and_the_recording(plans, one_rank_outputs, tmp_path):
    result = torchrun("-m", "solder_runtime", "run", plans / "two", "--inputs", RECORDING, "--compare",
                      "--out", tmp_path / "got.safetensors", "--device", "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" ok ") == len(one_rank_outputs)  # rank 0 alone reports
    got = safetensors_io.read(tmp_path / "got.safetensors")
    recorded = safetensors_io.read(RECORDING)
    for i, single in enumerate(one_rank_outputs):
        close(got[f"out.{i}"], single, scale=5)
        close(got[f"out.{i}"], recorded[f"out.{i}"], scale=5)


def swap_one_slice(plan_dir: Path) -> None:
    """Swaps the first weight slice both ranks hold (same name up to the rank suffix, same shape)
    whose two halves differ: the example BERT's biases are all zero, and swapping those proves nothing."""
    files = [plan_dir / f"rank-{r}" / "weights.safetensors" for r in (0, 1)]
    weights = [safetensors_io.read(f) for f in files]

    def differs(name0: str, t: torch.Tensor) -> bool:
        other = weights[1].get(name0.replace(".rank0", ".rank1"))
        return other is not None and other.shape == t.shape and not torch.equal(other, t)

    name0 = next(n for n, t in weights[0].items() if ".rank0" in n and differs(n, t))
    name1 = name0.replace(".rank0", ".rank1")
    weights[0][name0], weights[1][name1] = weights[1][name1], weights[0][name0]
    for f, w in zip(files, weights):
        safetensors_io.write(f, w)


def test_every_rank_holds_the_full_result_and_swapped_slices_are_caught(plans, one_rank_outputs, tmp_path):
    swapped = tmp_path / "swapped"
    shutil.copytree(plans / "two", swapped)
    swap_one_slice(swapped)
    result = torchrun(Path(__file__).with_name("tp_worker.py"), RECORDING, tmp_path, plans / "two", swapped)
    assert result.returncode == 0, result.stdout + result.stderr
    good, bad = ([safetensors_io.read(tmp_path / f"plan-{k}.rank-{r}.safetensors") for r in (0, 1)] for k in (0, 1))
    recorded = safetensors_io.read(RECORDING)
    for i, single in enumerate(one_rank_outputs):
        assert torch.equal(good[0][f"out.{i}"], good[1][f"out.{i}"])
        close(good[1][f"out.{i}"], single, scale=5)
    worst = max((bad[0][f"out.{i}"] - recorded[f"out.{i}"]).abs().max().item() for i in range(len(one_rank_outputs)))
    assert worst > 1e-2, f"a rank computing with another rank's weight slice stayed within {worst:.2e} of the recording"


def test_a_tensor_parallel_plan_needs_as_many_processes(plans, monkeypatch):
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(PlanError, match=r"a plan for 2 rank\(s\), started as 1 process\(es\): run it with torchrun --nproc-per-node 2"):
        distributed.join(plans / "two", "cpu")
    with pytest.raises(PlanError, match="is a tensor-parallel plan over 2 ranks"):
        Plan.load(plans / "two")
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(PlanError, match=r"a plan for 1 rank\(s\), started as 2 process\(es\)"):
        distributed.join(plans / "one", "cpu")
