"""Which step makes a captured solder bucket fail on a later replay (run 1: 'unspecified launch
failure' replaying the 32x512 bucket of BERT-base after other captures and an empty_cache).

python bench/gpu_bert_repro.py PLAN_DIR FLAGS   (one process per variant: a CUDA fault is sticky)
FLAGS, any of: a = first run a throwaway Plan object at 8x128 and drop it (as the cold warm-up did);
e = gc + torch.cuda.empty_cache() after capturing 32x512; c = capture a torch.compile
reduce-overhead matmul in between; t = force every GEMM to the Triton path (no cuBLAS); p = a torch.profiler session over calls of
another bucket in between; x = bench/gpu_bert_profile.profile_solder on another bucket in between
(profiler + eager steps + replay timing, as run 1 did after every shape).
"""
from __future__ import annotations

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends" / "triton" / "runtime"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from gpu_bert_model import bert_inputs  # noqa: E402


def load(plan_dir: str, triton_only: bool):
    from solder_runtime import Plan
    plan = Plan.load(plan_dir)
    if triton_only:
        for launch in plan.spec["launches"]:
            if launch["kernel"] in ("gemm", "gated_mlp"):
                launch.setdefault("attrs", {})["impl"] = "triton"
    return plan.to("cuda")


def step(what: str, fn) -> None:
    fn()
    torch.cuda.synchronize()
    print(f"  ok: {what}", flush=True)


def main(plan_dir: str, flags: str) -> None:
    print(f"variant '{flags}'", flush=True)
    t = "t" in flags
    with torch.inference_mode():
        if "a" in flags:
            throwaway = load(plan_dir, t)
            step("throwaway plan 8x128", lambda: throwaway(**bert_inputs(8, 128, "cuda")))
            del throwaway
        plan = load(plan_dir, t)
        step("8x128", lambda: plan(**bert_inputs(8, 128, "cuda")))
        step("32x512 first (capture)", lambda: plan(**bert_inputs(32, 512, "cuda", seed=7)))
        if "e" in flags:
            gc.collect()
            torch.cuda.empty_cache()
        if "c" in flags:
            w = torch.randn(768, 768, device="cuda", dtype=torch.float16)
            f = torch.compile(lambda x: x @ w + 1, mode="reduce-overhead")
            y = torch.randn(4096, 768, device="cuda", dtype=torch.float16)
            for _ in range(3):
                step("compiled matmul", lambda: f(y))
        step("32x256 (another capture)", lambda: plan(**bert_inputs(32, 256, "cuda")))
        if "p" in flags:
            from gpu_bert_profile import kernel_times
            x = bert_inputs(32, 256, "cuda")
            step("profiler over 32x256 calls", lambda: print("  ", kernel_times(lambda: plan(**x), 2)["kernel_ms"]))
        if "x" in flags:
            from gpu_bert_profile import profile_solder
            x = bert_inputs(32, 256, "cuda")
            step("profile_solder 32x256", lambda: print("  ", profile_solder(plan, x, 2)["eager_steps_ms"]))
        step("32x512 replay", lambda: plan(**bert_inputs(32, 512, "cuda")))
        step("32x512 replay x20", lambda: [plan(**bert_inputs(32, 512, "cuda", seed=i)) for i in range(20)])
    print(f"variant '{flags}': no fault", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
