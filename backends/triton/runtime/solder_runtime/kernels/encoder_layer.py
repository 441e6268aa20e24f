"""A whole post-norm encoder layer (BERT's) in one persistent launch, for few tokens.

At 16 tokens a BERT-base layer is seven launches (QKV GEMM, attention, output
GEMM, skip-LayerNorm, FFN-up GEMM with GELU, FFN-down GEMM, skip-LayerNorm), each
a few microseconds of work, and each launch's ramp-up, tail and the gap after it
cost about as much again. Here one program per SM runs the layer as phases of one
launch with grid-wide barriers between them (an atomic counter, ~1 us), and each
GEMM phase's weights are loaded before the barrier that opens it, so their trip
from HBM overlaps the phase before.

A GEMM phase splits its weights into ~one slice per program (a column tile by a K
slice); each stores its float32 partial product to a slab, and a later phase adds
the slabs and the bias (layer_phases.py): a finish phase for QKV and FFN-up, the
LayerNorm phase for the output projection and FFN-down. The output projection
shares a phase with attention: its K slices are heads, so a unit computes one
head's attention and multiplies it by that head's rows of the weights at once.
No atomics, and no waiting on counters inside a phase. Every buffer of the seven launches is written, in its
dtype, with the values those launches would store, so later readers and the plan's
memory plan are unaffected. Layers are launched as programmatic dependent launches:
the next layer's programs fetch their first weights while this one finishes.

A grid barrier needs every program resident at once: the grid is one program per
SM, which holds on a GPU running nothing else (a plan's CUDA graph). Triton's
interpreter runs programs one after another, so there (and when asked, to compare)
each phase runs as its own launch, with the same code.
"""
from __future__ import annotations

import torch
import triton
import triton.language as tl

from .common import activation_code, dot_precision, interpreting, on_gpu, require
from .attention import LOG2E
from .gemm import contiguous_rows
from .layer_phases import attention_out_phase, between, finish_phase, gemm_phase, norm_phase, stamp, weight_tile

MAX_TOKENS = 16  # batch x seq: one 16-row block, the size measured (bench/notes.md, runs L1-L8)
PHASES = ("qkv", "qkv_sum", "attention_out", "norm1", "ffn_up", "ffn_up_sum", "ffn_down", "norm2")
FINISH_BLOCK = 1024

_scratch: dict[tuple, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}


@triton.jit
def _layer_kernel(x, w_qkv, b_qkv, qkv, q, k, v, lens, mask, ctx, ctx_rows, w_o, b_o, t1, g1, be1, y1,
                  w_up, b_up, u, w_down, b_down, t2, g2, be2, out, parts_a, parts_b, sync, stamps,
                  M, B, H, KV_GROUP, S, D, N_QKV, F, qk_scale, eps1, eps2,
                  s_x, s_qkv, s_ctx, s_t1, s_y1, s_u, s_t2, s_out,
                  sqb, sqh, sqs, sqd, skb, skh, sks, skd, svb, svh, svs, svd, sob, soh, sos, sod, smb, smh, smk, slb,
                  FIRST: tl.constexpr, LAST: tl.constexpr, GRID_SYNC: tl.constexpr, ACT_UP: tl.constexpr,
                  HAS_LENS: tl.constexpr, HAS_MASK: tl.constexpr, CAUSAL: tl.constexpr, HEAD_D: tl.constexpr,
                  BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr, PRECISION: tl.constexpr,
                  QKV_N: tl.constexpr, QKV_K: tl.constexpr, O_N: tl.constexpr, O_K: tl.constexpr,
                  UP_N: tl.constexpr, UP_K: tl.constexpr, DOWN_N: tl.constexpr, DOWN_K: tl.constexpr,
                  QKV_PARTS: tl.constexpr, O_PARTS: tl.constexpr, UP_PARTS: tl.constexpr, DOWN_PARTS: tl.constexpr,
                  FINISH_BLOCK: tl.constexpr, USE_PDL: tl.constexpr, STAMPS: tl.constexpr = False):
    pid = tl.program_id(0)
    nprog = tl.num_programs(0)
    if USE_PDL:
        # Programmatic dependent launch: the next layer's programs may be scheduled now, next to
        # these, and fetch their first weights while this layer runs; they wait for its end
        # (gdc_wait) before anything else. Weights are never written, so that read is safe.
        tl.extra.cuda.gdc_launch_dependents()
    # Slabs of partial products: QKV's and FFN-up's in parts_a (added up by the finish phases),
    # the output projection's and FFN-down's in parts_b (by the norms). Weights are loaded one
    # phase early (w_next), before a barrier.
    if FIRST <= 0 and 0 <= LAST:
        w_next = weight_tile(w_qkv, N_QKV, D, pid, QKV_N, QKV_K)
    if USE_PDL:
        tl.extra.cuda.gdc_wait()
    stamp(stamps, pid, 0, STAMPS)
    if FIRST <= 0 and 0 <= LAST:
        gemm_phase(x, s_x, w_qkv, w_next, parts_a, M, N_QKV, D, pid, nprog, BLOCK_M, QKV_N, QKV_K, PRECISION)
    between(0, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 1 and 1 <= LAST:
        finish_phase(parts_a, b_qkv, qkv, s_qkv, M, N_QKV, pid, nprog, QKV_PARTS, 0, BLOCK_M, FINISH_BLOCK)
    if FIRST <= 2 and 2 <= LAST:
        w_next = weight_tile(w_o, D, D, pid, O_N, O_K)
    between(1, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 2 and 2 <= LAST:
        attention_out_phase(q, k, v, ctx, lens, mask, w_o, w_next, parts_b, M, D, H, KV_GROUP, S, qk_scale,
                            sqb, sqh, sqs, sqd, skb, skh, sks, skd, svb, svh, svs, svd, sob, soh, sos, sod,
                            smb, smh, smk, slb, pid, nprog, HAS_LENS, HAS_MASK, CAUSAL, HEAD_D, BLOCK_M, O_N,
                            PRECISION)
    if FIRST <= 4 and 4 <= LAST:
        w_next = weight_tile(w_up, F, D, pid, UP_N, UP_K)
    between(2, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 3 and 3 <= LAST:
        norm_phase(t1, s_t1, x, s_x, g1, be1, y1, s_y1, parts_b, b_o, M, D, eps1, pid, nprog, BLOCK_D, BLOCK_M,
                   O_PARTS)
    between(3, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 4 and 4 <= LAST:
        gemm_phase(y1, s_y1, w_up, w_next, parts_a, M, F, D, pid, nprog, BLOCK_M, UP_N, UP_K, PRECISION)
    between(4, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 5 and 5 <= LAST:
        finish_phase(parts_a, b_up, u, s_u, M, F, pid, nprog, UP_PARTS, ACT_UP, BLOCK_M, FINISH_BLOCK)
    if FIRST <= 6 and 6 <= LAST:
        w_next = weight_tile(w_down, D, F, pid, DOWN_N, DOWN_K)
    between(5, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 6 and 6 <= LAST:
        gemm_phase(u, s_u, w_down, w_next, parts_b, M, D, F, pid, nprog, BLOCK_M, DOWN_N, DOWN_K, PRECISION)
    between(6, FIRST, LAST, GRID_SYNC, sync, nprog, stamps, STAMPS)
    if FIRST <= 7 and 7 <= LAST:
        norm_phase(t2, s_t2, y1, s_y1, g2, be2, out, s_out, parts_b, b_down, M, D, eps2, pid, nprog, BLOCK_D,
                   BLOCK_M, DOWN_PARTS)
    stamp(stamps, pid, 2 * 8 - 1, STAMPS)
    if GRID_SYNC and FIRST < LAST:
        # The last program out leaves the counters at zero for the next launch.
        left = tl.atomic_add(sync + 1, 1, sem="acq_rel", scope="gpu")
        if left == nprog - 1:
            tl.atomic_xchg(sync, 0, sem="relaxed", scope="gpu")
            tl.atomic_xchg(sync + 1, 0, sem="relaxed", scope="gpu")


def gemm_tiling(n: int, k: int, elem_bytes: int, programs: int, max_tile_bytes: int = 32 << 10) -> tuple[int, int]:
    """(BLOCK_N, BLOCK_K) for one GEMM phase: the smallest weight slice per unit that still leaves
    no more units than programs (each program then streams one slice, loaded ahead of its phase),
    else the fewest units; wider column tiles first (longer contiguous runs of each weight row).
    At most 32 KB a slice: a program holds one phase's slice in registers during the phase before."""
    options = []
    for block_n in (128, 64, 32, 16):
        for block_k in (512, 256, 128, 64, 32, 16):
            if block_n * block_k * elem_bytes > max_tile_bytes:
                continue
            units = triton.cdiv(n, block_n) * triton.cdiv(k, block_k)
            options.append((units > programs, block_n * block_k if units <= programs else units, -block_n,
                            block_n, block_k))
    return min(options)[3:]


def head_tiling(n: int, heads: int, programs: int) -> int:
    """BLOCK_N of the attention + output projection phase, whose units are (head, column tile):
    the widest tile that leaves no more units than programs (BERT-base on 132 SMs: 128, 72 units
    of 16 KB), else the narrowest."""
    widths = [b for b in (128, 64, 32) if b <= triton.next_power_of_2(n)]
    return next((b for b in widths if heads * triton.cdiv(n, b) <= programs), 16)


def _scratch_for(device: torch.device, cells_a: int, cells_b: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The two float32 areas of partial-product slabs and the barrier's two counters (each launch
    leaves them at zero). Kept for the process, since captured graphs hold their addresses."""
    key = (device, cells_a, cells_b)
    if key not in _scratch:
        _scratch[key] = (torch.empty(cells_a, dtype=torch.float32, device=device),
                         torch.empty(cells_b, dtype=torch.float32, device=device),
                         torch.zeros(2, dtype=torch.int32, device=device))
    return _scratch[key]


def default_programs(device: torch.device) -> int:
    if not on_gpu(device):
        return 3  # the interpreter's cost is per program
    return torch.cuda.get_device_properties(device).multi_processor_count


def encoder_layer(x, w_qkv, b_qkv, qkv, q, k, v, ctx, ctx_rows, w_o, b_o, t1, g1, be1, y1,
                  w_up, b_up, u, w_down, b_down, t2, g2, be2, out, mask=None, key_lengths=None,
                  scale=None, causal=False, eps1=1e-5, eps2=1e-5, activation="gelu",
                  one_launch: bool | None = None, programs: int | None = None,
                  phases: tuple[int, int] | None = None, tilings_override: dict | None = None,
                  stamps: torch.Tensor | None = None, pdl: bool | None = None) -> None:
    """The seven launches of a post-norm layer, with their own tensors (q/k/v: the attention
    launch's 4-D views; ctx its output, ctx_rows the same memory as the output GEMM reads it):
    qkv = x @ w_qkv + b_qkv; ctx = attention(q, k, v); t1 = ctx_rows @ w_o + b_o;
    y1 = LayerNorm(t1 + x); u = act(y1 @ w_up + b_up); t2 = u @ w_down + b_down; out = LayerNorm(t2 + y1).
    Every one of those tensors is written, with the values the seven launches would store.
    one_launch=None: one launch with grid barriers on a GPU, a launch per phase under the interpreter.
    pdl (default: with one_launch on Hopper and later): launched as a programmatic dependent launch.
    Benchmarks only: phases=(first, last) runs only those phases; tilings_override={"QKV"|"O"|"UP"|
    "DOWN": (BLOCK_N, BLOCK_K)} replaces gemm_tiling's pick (head_tiling's for "O", whose BLOCK_K
    must be head_dim); stamps (int64 [programs, 32]) receives
    each program's clock (ns) at the start, around every barrier, at the end."""
    rows = {n: contiguous_rows(t, n, "encoder_layer")
            for n, t in dict(x=x, qkv=qkv, ctx_rows=ctx_rows, t1=t1, y1=y1, u=u, t2=t2, out=out).items()}
    M, D = rows["x"].shape
    n_qkv, F = w_qkv.shape[1], w_up.shape[1]
    B, H, S, HD = q.shape
    require(M <= MAX_TOKENS and M == B * S, "encoder_layer", f"{M} tokens (at most {MAX_TOKENS}, batch x seq)")
    require(HD in (16, 32, 64, 128) and k.shape[2] == S and H % k.shape[1] == 0 and H * HD == D, "encoder_layer",
            f"q {list(q.shape)} / k {list(k.shape)}: head_dim 16-128, self-attention, heads x head_dim = hidden")
    for name, w, shape in (("w_qkv", w_qkv, (D, n_qkv)), ("w_o", w_o, (D, D)), ("w_up", w_up, (D, F)),
                           ("w_down", w_down, (F, D))):
        require(tuple(w.shape) == shape and w.is_contiguous(), "encoder_layer",
                f"{name} {list(w.shape)} must be a contiguous {list(shape)}")
    device = x.device
    gpu = on_gpu(device)
    # float32 doubles every weight slice; only 16-bit plans were measured and tested on the GPU
    require(x.element_size() == 2 or not gpu, "encoder_layer", "float16 and bfloat16 plans only on the GPU")
    programs = programs or default_programs(device)
    one_launch = gpu if one_launch is None else one_launch
    require(not (one_launch and interpreting()), "encoder_layer", "grid barriers cannot run under the interpreter")
    tilings = {name: gemm_tiling(n, kk, x.element_size(), programs)
               for name, n, kk in (("QKV", n_qkv, D), ("UP", F, D), ("DOWN", D, F))}
    tilings["O"] = (head_tiling(D, H, programs), HD)
    tilings.update(tilings_override or {})
    require(tilings["O"][1] == HD, "encoder_layer", f"the output projection's K slice must be one head ({HD})")
    block_m = max(16, triton.next_power_of_2(M))
    slices = {name: triton.cdiv(kk, tilings[name][1]) for name, kk in (("QKV", D), ("O", D), ("UP", D), ("DOWN", F))}
    parts_a, parts_b, sync = _scratch_for(device, block_m * max(slices["QKV"] * n_qkv, slices["UP"] * F),
                                          block_m * D * max(slices["O"], slices["DOWN"]))
    if mask is not None:
        require(mask.dim() == 4 and mask.shape[2] == 1, "encoder_layer",
                f"mask {list(mask.shape)} must be per key ([batch|1, heads|1, 1, kv])")
        mask = mask.expand(B, H, S, S)
    ms = mask.stride() if mask is not None else (0, 0, 0, 0)
    scale = 1.0 / HD ** 0.5 if scale is None else float(scale)
    r = rows
    args = (r["x"], w_qkv, b_qkv, r["qkv"], q, k, v, key_lengths if key_lengths is not None else sync,
            mask if mask is not None else q,
            ctx, r["ctx_rows"], w_o, b_o, r["t1"], g1, be1, r["y1"], w_up, b_up, r["u"], w_down, b_down, r["t2"],
            g2, be2, r["out"], parts_a, parts_b, sync, stamps if stamps is not None else sync,
            M, B, H, H // k.shape[1], S, D, n_qkv, F, scale * LOG2E, float(eps1), float(eps2),
            *(r[n].stride(0) for n in ("x", "qkv", "ctx_rows", "t1", "y1", "u", "t2", "out")),
            *q.stride(), *k.stride(), *v.stride(), *ctx.stride(), ms[0], ms[1], ms[3],
            key_lengths.stride(0) if key_lengths is not None and key_lengths.numel() > 1 else 0)
    meta = dict(ACT_UP=activation_code(activation), HAS_LENS=key_lengths is not None, HAS_MASK=mask is not None,
                CAUSAL=bool(causal), HEAD_D=HD,
                BLOCK_D=max(16, triton.next_power_of_2(D)), BLOCK_M=block_m, PRECISION=dot_precision(x.dtype),
                FINISH_BLOCK=FINISH_BLOCK, STAMPS=stamps is not None, num_warps=4 if interpreting() else 8,
                **{f"{n}_{part}": value for n, tiling in tilings.items() for part, value in zip(("N", "K"), tiling)},
                **{f"{n}_PARTS": count for n, count in slices.items()})
    first, last = phases or (0, len(PHASES) - 1)
    spans = [(first, last)] if one_launch else [(p, p) for p in range(first, last + 1)]
    # griddepcontrol (programmatic dependent launch) exists from Hopper (sm_90) on
    pdl = one_launch and torch.cuda.get_device_capability(device)[0] >= 9 if pdl is None else pdl
    for first, last in spans:
        _layer_kernel[(programs,)](*args, FIRST=first, LAST=last, GRID_SYNC=one_launch, USE_PDL=pdl, **meta,
                                   **({"launch_pdl": True} if pdl else {}))
