"""Runs a plan on one device: binds symbols, pads to buckets, replays CUDA graphs.

Everything a launch touches lives at a fixed address (weights, the arena,
staging tensors for inputs and outputs, one int32 per symbol holding its real
value), so each bucket's launches are captured once into a CUDA graph and later
calls only copy inputs in, replay, and copy outputs out. Runs of launches that form one
encoder layer become one step that may run them as a single launch (layer_fusion.py).
"""
from __future__ import annotations

import math
import os
from functools import partial

import torch

from .binding import apply_view, buffer_view, shape_at
from .buckets import bucket, default_policy
from .dtypes import TORCH_DTYPES, kind_of
from .errors import InputError, PlanError
from .formula import evaluate
from .graphs import capture
from .distributed import KERNELS
from .kernels.generated import load_generated
from .layer_fusion import EncoderLayerStep, find_encoder_layers


class _Program:
    """One bucket's bound launches, and its CUDA graph once captured."""

    def __init__(self, steps: list, device: torch.device):
        self.steps, self.device, self.graph = steps, device, None
        # decided once: this is on every call's path, where each microsecond shows at few tokens
        self.use_graph = device.type == "cuda" and os.environ.get("SOLDER_NO_GRAPHS") != "1"

    def _run_steps(self) -> None:
        for where, step in self.steps:
            try:
                step()
            except PlanError as e:
                raise PlanError(f"{where}: {e}") from None

    def execute(self) -> None:
        if self.graph is not None:
            self.graph.replay()
        elif not self.use_graph:
            self._run_steps()
        else:
            self._run_steps()  # compiles, autotunes and picks GEMM paths outside the capture
            torch.cuda.synchronize(self.device)
            self.graph = capture(self._run_steps)
            self.graph.replay()


def _launch_generated(fn, signature, tensors, attrs, scalars, grid, num_warps):
    params = []
    for p in signature:
        name, kind = p["name"], p["kind"]
        if kind == "tensor":
            params.append(tensors[name])
        elif kind == "int":
            params.append(scalars[name] if name in scalars else int(attrs[name]))
        elif kind == "float":
            params.append(float(attrs[name]))
        else:
            params.append(attrs[name])
    fn[tuple(grid)](*params, num_warps=num_warps)


class Executor:
    def __init__(self, spec: dict, weights: dict[str, torch.Tensor], device: torch.device):
        self.spec, self.device = spec, device
        self.policy = {s: v.get("bucket") or default_policy(s) for s, v in spec["symbols"].items()}
        self.max_env = {s: v["max"] for s, v in spec["symbols"].items()}
        self.weights = {n: t.to(device) for n, t in weights.items()}
        self.alignment = spec["arena"]["alignment"]
        self.arena = torch.empty(evaluate(spec["arena"]["size"], self.max_env), dtype=torch.uint8, device=device)
        self.staging = {io["name"]: torch.empty(math.prod(shape_at(io["shape"], self.max_env)),
                                                dtype=TORCH_DTYPES[io["dtype"]], device=device)
                        for io in spec["inputs"] + spec["outputs"]}
        # Real symbol values, one int32 each, written by a single copy when they change.
        self.symbol_names = list(spec["symbols"])
        self.symbol_values = torch.zeros(len(self.symbol_names), dtype=torch.int32, device=device)
        self.real = {s: self.symbol_values[i:i + 1] for i, s in enumerate(self.symbol_names)}
        self._written_symbols: list[int] | None = None
        self._bound: dict[tuple, tuple] = {}
        self.generated = {kid: load_generated(kid, g["source"], g["entry"])
                          for kid, g in spec.get("generated_kernels", {}).items()}
        self.programs: dict[tuple, _Program] = {}
        self.layers = find_encoder_layers(spec["launches"])

    def _io_view(self, io: dict, env: dict) -> torch.Tensor:
        shape = shape_at(io["shape"], env)
        return self.staging[io["name"]][:math.prod(shape)].view(shape)

    def _tensor(self, ref: dict, env: dict, where: str) -> torch.Tensor:
        if "buffer" in ref:
            base = buffer_view(ref["buffer"], self.spec["buffers"][ref["buffer"]], self.arena, self.alignment, env)
        elif "weight" in ref:
            base = self.weights[ref["weight"]]
        elif "real" in ref:
            base = self.real[ref["real"]]
        else:
            ios = self.spec["inputs"] if "input" in ref else self.spec["outputs"]
            base = self._io_view(next(io for io in ios if io["name"] == ref.get("input", ref.get("output"))), env)
        return apply_view(base, ref["view"], env, where) if "view" in ref else base

    def _build(self, env: dict) -> _Program:
        steps, bound = [], []
        for i, launch in enumerate(self.spec["launches"]):
            kernel, attrs = launch["kernel"], launch.get("attrs", {})
            where = f"launches[{i}] ({launch.get('name') or kernel})"
            args = launch["args"]
            tensors = {a: self._tensor(r, env, f"{where}.args.{a}") for a, r in args.items() if "formula" not in r}
            if kernel.startswith("generated:"):
                kid = kernel[len("generated:"):]
                gen = self.spec["generated_kernels"][kid]
                scalars = {a: evaluate(r["formula"], env) for a, r in args.items() if "formula" in r}
                step = partial(_launch_generated, self.generated[kid], gen["signature"], tensors, attrs, scalars,
                               shape_at(launch["grid"], env), gen.get("num_warps", 4))
            else:
                step = partial(KERNELS[kernel].launch, **tensors, **attrs)
            steps.append((where, step))
            bound.append((tensors, attrs))
        # Seven launches forming one encoder layer become one step that may run them as one launch
        # (launches found between them that touch none of their tensors go just before it).
        for ahead, core in reversed(self.layers):
            where = f"launches[{core[0]}..{core[-1]}] (encoder layer)"
            layer = EncoderLayerStep([bound[k] for k in core], [steps[k][1] for k in core])
            steps[core[0]:core[-1] + 1] = [steps[k] for k in ahead] + [(where, layer)]
        return _Program(steps, self.device)

    def bind(self, inputs: dict) -> dict[str, int]:
        """Symbol values read off the input shapes (InputError when they disagree with the plan)."""
        declared = {io["name"]: io for io in self.spec["inputs"]}
        missing, unknown = sorted(set(declared) - set(inputs)), sorted(set(inputs) - set(declared))
        if missing or unknown:
            raise InputError(f"inputs: missing {missing or 'none'}, unknown {unknown or 'none'} "
                             f"(the plan takes {', '.join(declared)})")
        env: dict[str, int] = {}
        for name, io in declared.items():
            t = inputs[name]
            if not isinstance(t, torch.Tensor) or t.dim() != len(io["shape"]):
                raise InputError(f"input {name}: expected a {len(io['shape'])}-D tensor {io['shape']}")
            if kind_of(t.dtype) != kind_of(TORCH_DTYPES[io["dtype"]]):
                raise InputError(f"input {name}: dtype {str(t.dtype)[6:]} cannot stand in for {io['dtype']}")
            for axis, (dim, size) in enumerate(zip(io["shape"], t.shape)):
                if isinstance(dim, int) and dim != size:
                    raise InputError(f"input {name}: dim {axis} is {size}, the plan fixes it at {dim}")
                if isinstance(dim, str):
                    if size < 1 or size > self.max_env[dim]:
                        raise InputError(f"input {name}: {dim} = {size} is outside 1..{self.max_env[dim]} (the plan's max)")
                    if env.setdefault(dim, size) != size:
                        raise InputError(f"input {name}: {dim} = {size} but another input has {dim} = {env[dim]}")
        return env

    def _prepare(self, inputs: dict) -> "_Call":
        """Everything a call needs that depends only on the input shapes and dtypes: checked once per signature."""
        try:  # the common case: tensors only (torch.Size is a hashable tuple)
            signature = tuple((n, t.shape, t.dtype) for n, t in inputs.items())
        except AttributeError:  # something else was passed: bind() below says what
            signature = None
        prepared = self._bound.get(signature) if signature is not None else None
        if prepared is None:
            real_env = self.bind(inputs)
            env = {s: bucket(v, self.policy[s], self.max_env[s]) for s, v in real_env.items()}
            key = tuple(sorted(env.items()))
            if key not in self.programs:
                self.programs[key] = self._build(env)
            names, dst, pads = [], [], []
            for io in self.spec["inputs"]:
                view, shape = self._io_view(io, env), tuple(inputs[io["name"]].shape)
                names.append(io["name"])
                dst.append(view[tuple(slice(0, d) for d in shape)])
                if tuple(view.shape) != shape:
                    pads.append((view, io.get("pad_value", 0)))
            outputs = [(io["name"], self._io_view(io, env)[tuple(slice(0, d) for d in shape_at(io["shape"], real_env))])
                       for io in self.spec["outputs"]]
            symbols = [real_env.get(s, 0) for s in self.symbol_names]
            prepared = _Call(self.programs[key], names, dst, pads, outputs, symbols)
            if signature is not None:
                self._bound[signature] = prepared
        return prepared

    def run(self, inputs: dict, copy_outputs: bool = True) -> dict[str, torch.Tensor]:
        """Outputs are fresh tensors, or with copy_outputs=False views of the plan's own output
        buffers, valid until the next call (what torch.compile's CUDA graphs hand back too)."""
        call = self._prepare(inputs)
        for view, pad_value in call.pads:
            view.fill_(pad_value)
        # one launch for all input copies instead of one each
        torch._foreach_copy_(call.dst, [inputs[name] for name in call.names])
        if call.symbols != self._written_symbols:
            self.symbol_values.copy_(torch.tensor(call.symbols, dtype=torch.int32))
            self._written_symbols = call.symbols
        call.program.execute()
        return {name: view.clone() if copy_outputs else view for name, view in call.outputs}


class _Call:
    """What a call with one signature of input shapes needs, prepared once: the bucket's program,
    the staging views the inputs are copied into (with the padded ones to fill first), the output
    views, and the real symbol values."""
    __slots__ = ("program", "names", "dst", "pads", "outputs", "symbols")

    def __init__(self, program, names, dst, pads, outputs, symbols):
        self.program, self.names, self.dst, self.pads = program, names, dst, pads
        self.outputs, self.symbols = outputs, symbols
