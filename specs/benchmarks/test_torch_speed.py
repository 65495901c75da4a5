"""PyTorch's own ``nn.LSTM``/``nn.GRU`` forward on the predict() grid: eager and ``torch.compile``.

The same points as ``test_predict_speed.py`` (layer, units, batch, sequence length, device), so the
summary table and the plot show PyTorch's paths beside Keras' (``benchmarking.TORCH_PATHS``).  The
module reads Keras' layout (``batch_first=True``), runs under ``torch.no_grad()`` and returns the
last step, Keras' default output.  ``torch.compile`` compiles once per module (``dynamic=True``,
so every batch size shares it) in the warm-up call; where it cannot compile the case skips, saying
why.  These run where PyTorch is installed (``python3 suite.py matrix torch``) and skip elsewhere.
Nothing here asserts a time.
"""

import functools

import pytest

from lstm_spec.pytorch import SKIP_REASON

torch = pytest.importorskip("torch", reason=SKIP_REASON)

from lstm_spec.bench import benchmarking  # noqa: E402
from lstm_spec.checks.assertions import assert_shape  # noqa: E402
from lstm_spec.models.builders import make_inputs  # noqa: E402
from lstm_spec.pytorch.stacks import Stack, seeded_torch_module  # noqa: E402

TORCH_DEVICE = {"CPU": "cpu", "GPU": "cuda"}


@functools.lru_cache(maxsize=None)
def torch_module(layer: str, units: int, features: int, device: str, compiled: bool):
    """The seeded batch-first module on ``device``, compiled or not (cached: one compilation per module)."""
    module = seeded_torch_module(Stack(layer, units), features).to(device)
    return torch.compile(module, dynamic=True) if compiled else module


def forward_path(torch_path: str, config, dims, device: str):
    """A callable running the module on the point's data and returning the last step as NumPy."""
    module = torch_module(config.layer, config.units, dims.features, device, torch_path == "torch_compile")
    inputs = torch.from_numpy(make_inputs(dims)).to(device)

    def infer():
        with torch.no_grad():
            output, _ = module(inputs)
        return output[:, -1].cpu().numpy()

    return infer


@pytest.mark.parametrize("torch_path", list(benchmarking.TORCH_PATHS))
def test_torch_latency(benchmark, device, point, torch_path):
    """PyTorch's module run warm on one grid point returns the (batch, units) last step."""
    config, dims = point
    if device.kind == "GPU" and not torch.cuda.is_available():
        pytest.skip("PyTorch sees no CUDA device (the torch lock installs the CPU wheel)")
    infer = forward_path(torch_path, config, dims, TORCH_DEVICE[device.kind])
    try:
        infer()  # the first call compiles under torch.compile
    except Exception as error:  # noqa: BLE001 - a compiler's failure is the skip reason
        if torch_path != "torch_compile":
            raise
        pytest.skip(f"{benchmarking.TORCH_PATHS[torch_path]} does not compile {config} on {device}: "
                    f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    flops = benchmarking.forward_flops(config.layer, dims.batch, dims.seq_len, dims.features, config.units)
    benchmark.group = f"{config}-{dims}-{device}"
    benchmark.extra_info.update(
        layer=config.layer, units=config.units, batch=dims.batch, seq_len=dims.seq_len, features=dims.features,
        device=device.kind, path=torch_path, flops=flops, peak_gflops=device.peak_gflops)
    output = benchmark(infer)
    assert_shape("output", output, (dims.batch, config.units), f"{config} on {dims.shape} via {torch_path}")
    if benchmark.stats:  # absent under --benchmark-disable: the function ran once, untimed
        benchmark.extra_info.update(benchmarking.throughput(flops, benchmark.stats.stats.median, device.peak_gflops))
