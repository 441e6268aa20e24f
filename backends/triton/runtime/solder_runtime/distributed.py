"""Tensor-parallel plans: one process per rank, all-reduces through torch.distributed.

A tensor-parallel plan directory holds one ordinary plan per rank and nothing else
at the top (written by `solder plan --tensor-parallel N`):

    PLAN_DIR/rank-0/plan.json + weights.safetensors   (plan.json: "tensor_parallel": {"world_size": N, "rank": 0})
    PLAN_DIR/rank-1/...

Started with `torchrun --nproc-per-node N -m solder_runtime run PLAN_DIR ...`, each
process reads RANK / WORLD_SIZE / LOCAL_RANK, joins the process group (NCCL on CUDA,
one GPU per local rank; gloo on the CPU) and runs its rank's plan. The plan's
`all_reduce` launches sum their buffer in place across the ranks with
torch.distributed.all_reduce; every rank issues them in the same order, and on CUDA
they are captured into the bucket's CUDA graph with the kernels around them (NCCL
supports capture; the executor runs each bucket once eagerly first, which also sets
up the NCCL communicator). NCCL_* variables are the user's: nothing here sets them.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import torch

from .errors import PlanError
from .kernels import LIBRARY, LibraryKernel


def rank_dir_name(rank: int) -> str:
    return f"rank-{rank}"


def all_reduce(tensor: torch.Tensor, op: str = "sum", world_size: int = 1) -> None:
    """The `all_reduce` launch: tensor becomes the sum of every rank's tensor, in place."""
    import torch.distributed as dist

    if op != "sum":
        raise PlanError(f"all_reduce op {op!r} is not supported (only 'sum')")
    joined = dist.is_available() and dist.is_initialized()
    if not joined and world_size == 1:
        return
    if not joined or dist.get_world_size() != world_size:
        have = dist.get_world_size() if joined else 1
        raise PlanError(f"all_reduce over {world_size} ranks, but {have} process(es) run this plan: "
                        f"start it with torchrun --nproc-per-node {world_size} -m solder_runtime run PLAN_DIR")
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)


COLLECTIVES = {"all_reduce": LibraryKernel(all_reduce, ("tensor",), (), ("op", "world_size"))}

# Everything a plan launch may name besides generated kernels: the kernel library and the collectives.
KERNELS = {**LIBRARY, **COLLECTIVES}


def plan_world_size(plan_dir: str | Path) -> int:
    """1 for an ordinary plan directory, N for a tensor-parallel one (PlanError for neither)."""
    plan_dir = Path(plan_dir)
    if (plan_dir / "plan.json").exists():
        return 1
    first = plan_dir / rank_dir_name(0) / "plan.json"
    try:
        section = json.loads(first.read_text()).get("tensor_parallel")
    except OSError:
        raise PlanError(f"{plan_dir}: no plan.json (nor {rank_dir_name(0)}/plan.json of a tensor-parallel plan)") from None
    except ValueError as e:
        raise PlanError(f"{first}: not valid JSON ({e})") from None
    if not isinstance(section, dict) or not isinstance(section.get("world_size"), int):
        raise PlanError(f"{first}: a rank directory's plan needs a tensor_parallel section with world_size")
    return section["world_size"]


@dataclass
class Rank:
    """This process's place in a (possibly one-process) run of a plan directory."""

    rank: int
    world_size: int
    plan_dir: Path
    device: str

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def load_plan(self):
        """This rank's Plan, checked to be the rank it claims to be."""
        from .plan import Plan

        plan = Plan.load(self.plan_dir)
        section = plan.spec.get("tensor_parallel", {"world_size": 1, "rank": 0})
        if section != {"world_size": self.world_size, "rank": self.rank}:
            raise PlanError(f"{self.plan_dir / 'plan.json'}: tensor_parallel is {json.dumps(section)}, "
                            f"but this process is rank {self.rank} of {self.world_size}")
        return plan

    def finish(self, code: int | None = None) -> int:
        """Rank 0's exit code, on every rank; leaves the process group."""
        if self.world_size == 1:
            return code or 0
        import torch.distributed as dist

        verdict = torch.tensor([code or 0], dtype=torch.int32, device=self.device)
        dist.broadcast(verdict, src=0)
        dist.destroy_process_group()
        return int(verdict.item())


def join(plan_dir: str | Path, device: str | None = None, timeout_s: float = 600.0) -> Rank:
    """Reads torchrun's RANK / WORLD_SIZE / LOCAL_RANK and joins the process group when there are several ranks."""
    rank, world_size, local_rank = (int(os.environ.get(k, d)) for k, d in
                                    (("RANK", 0), ("WORLD_SIZE", 1), ("LOCAL_RANK", 0)))
    plan_ranks = plan_world_size(plan_dir)
    if plan_ranks != world_size:
        how = (f"torchrun --nproc-per-node {plan_ranks} -m solder_runtime run {plan_dir}" if plan_ranks > 1
               else "one process (python -m solder_runtime run ...)")
        raise PlanError(f"{plan_dir}: a plan for {plan_ranks} rank(s), started as {world_size} process(es): run it with {how}")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if world_size == 1:
        return Rank(0, 1, Path(plan_dir), device)
    import torch.distributed as dist

    if device == "cuda":
        if local_rank >= torch.cuda.device_count():
            raise PlanError(f"LOCAL_RANK {local_rank} needs GPU {local_rank}, but {torch.cuda.device_count()} are visible")
        torch.cuda.set_device(local_rank)
        device = f"cuda:{local_rank}"
    if not dist.is_initialized():
        options = dict(rank=rank, world_size=world_size, timeout=timedelta(seconds=timeout_s))
        if device.startswith("cuda"):
            # Bound to its GPU, the NCCL communicator is set up now rather than inside the first call.
            options["device_id"] = torch.device(device)
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo", **options)
    return Rank(rank, world_size, Path(plan_dir) / rank_dir_name(rank), device)
