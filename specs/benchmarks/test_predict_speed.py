"""predict() speed: what each way of running a recurrent model costs, over batch, sequence length and
width, on every device TensorFlow sees.

Each case times one inference path on one grid point after a warm-up call (the first call traces
and compiles), with a timed function that returns NumPy values so the device has finished, and
records the median process CPU time per call beside pytest-benchmark's wall times.  Nothing
here asserts a time: a slow machine passes.  ``extra_info`` of each case holds the FLOPs of the
forward pass, the GFLOP/s achieved, the efficiency against the session's matmul peak and, once the
whole point has run, the predict() overhead ratio (``lstm_spec.bench.benchmarking``).
"""

import pytest

from lstm_spec.bench import benchmarking
from lstm_spec.checks.assertions import assert_shape
from lstm_spec.models.backend import KERAS_BACKEND, tensorflow_only
from lstm_spec.models.builders import make_inputs, recurrent_model


def warm_up(infer, path, config, device) -> None:
    """The first call, outside the timed region; a path that does not compile here is skipped."""
    import tensorflow as tf

    try:
        infer()
    except tf.errors.OpError as error:
        if path != "tf_function_xla":
            raise
        pytest.skip(f"{benchmarking.PATHS[path]} does not compile {config} on {device}: "
                    f"{str(error).splitlines()[0]}")


def test_inference_latency(benchmark, device, point, path, timed_call, time_rounds):
    """One inference path run warm on one grid point returns the (batch, units) output."""
    import tensorflow as tf

    if path in benchmarking.TENSORFLOW_ONLY_PATHS and KERAS_BACKEND != "tensorflow":
        pytest.skip(tensorflow_only(benchmarking.PATHS[path]))
    config, dims = point
    inputs = make_inputs(dims)
    with tf.device(device.name):
        model = recurrent_model(config, dims)
        infer = benchmarking.inference_path(path, model, inputs)
        warm_up(infer, path, config, device)
        infer = timed_call(infer)
        flops = benchmarking.forward_flops(config.layer, dims.batch, dims.seq_len, dims.features, config.units)
        benchmark.group = f"{config}-{dims}-{device}"
        benchmark.extra_info.update(
            layer=config.layer, units=config.units, batch=dims.batch, seq_len=dims.seq_len,
            features=dims.features, device=device.kind, path=path, flops=flops,
            peak_gflops=device.peak_gflops,
        )
        output = time_rounds(infer)
    assert_shape("output", output, (dims.batch, config.units), f"{config} on {dims.shape} via {path}")
    if benchmark.stats:  # absent under --benchmark-disable: the function ran once, untimed
        benchmark.extra_info.update(
            benchmarking.throughput(flops, benchmark.stats.stats.median, device.peak_gflops),
            cpu_median=infer.cpu_median())
