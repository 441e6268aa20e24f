import time

import pytest
import torch

from conftest import ON_GPU
from solder_runtime.kernels.choice import choose
from solder_runtime.timing import bench_in_graph, event_ms

pytestmark = pytest.mark.skipif(not ON_GPU, reason="CUDA graph timing needs a GPU")


def host_slow_gpu_fast():
    """A tiny kernel behind 2 ms of host work (a graph replay pays only the kernel)."""
    x = torch.ones(16, device="cuda")
    time.sleep(0.002)
    return lambda: (time.sleep(0.002), x.add_(1))


def gpu_heavy():
    a = torch.randn(2048, 2048, device="cuda")
    return lambda: a @ a  # ~17 GFLOP: well over 50 us on any GPU this runs on, well under 2 ms on H100


def test_host_time_does_not_count():
    fn = host_slow_gpu_fast()
    assert event_ms(fn) > 1.5  # timed eagerly, the sleep shows
    assert bench_in_graph(fn) < 0.1


def test_heavier_gpu_work_takes_longer():
    light, heavy = bench_in_graph(host_slow_gpu_fast()), bench_in_graph(gpu_heavy())
    assert heavy > 10 * light


def test_quantiles_are_ordered_as_asked():
    low, mid, high = bench_in_graph(gpu_heavy(), quantiles=(0.2, 0.5, 0.8))
    assert 0 < low <= mid <= high


def test_choice_goes_by_gpu_time():
    # timed eagerly (as choices were before), the host-slow candidate would lose
    key = f"test_timing|{time.time_ns()}"
    picked = choose(key, torch.device("cuda"), {"host_slow": host_slow_gpu_fast(), "gpu_heavy": gpu_heavy()}, default="gpu_heavy")
    assert picked == "host_slow"
