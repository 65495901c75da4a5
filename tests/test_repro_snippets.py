"""Every repro snippet a failing spec prints rebuilds the run: executed, it gives the run's own values.

Covered: ``recurrent_repro`` (``RecurrentRun.repro``, the seeded models), ``PinnedRun.repro`` (pinned
weights, with a mask and an initial state) and ``chain_repro`` (the family chains; ``test_family.py``
runs one more).  The negative controls change one seed of a snippet and see the comparison fail, so
a snippet that printed a wrong seed could not pass.
"""

import pytest

from lstm_spec.checks.assertions import assert_close, assert_count
from lstm_spec.models.builders import run_recurrent, to_numpy
from lstm_spec.models.configs import PAGE_DIMS, PAGE_UNITS, InputDims, LSTMConfig, RecurrentConfig
from lstm_spec.models.family import Chain, Layer, ShapeDims, run_chain
from lstm_spec.models.pinned import PAGE_CELLS, pinned_run

SMALL = InputDims(batch=3, seq_len=4, features=2)


def snippet_outputs(snippet: str) -> tuple:
    """Executes ``snippet`` (its print silenced) and returns its ``out`` as a tuple of NumPy arrays."""
    namespace = {"print": lambda *args: None}
    exec(snippet, namespace)
    out = to_numpy(namespace["out"])
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def assert_snippet_reproduces(run, snippet: str) -> None:
    """The snippet's outputs equal the run's, array by array, within float32 tolerance."""
    __tracebackhide__ = True
    expected = tuple(run.outputs) if isinstance(run.outputs, (tuple, list)) else (run.outputs,)
    actual = snippet_outputs(snippet)
    assert_count("len(out)", len(actual), len(expected), run, snippet)
    for index, (got, want) in enumerate(zip(actual, expected)):
        assert_close(f"out[{index}]", got, want, run, snippet)


RECURRENT = [
    (LSTMConfig(PAGE_UNITS), PAGE_DIMS),
    (LSTMConfig(PAGE_UNITS, return_sequences=True, return_state=True), SMALL),
    (RecurrentConfig("GRU", PAGE_UNITS, return_state=True), PAGE_DIMS),
    (RecurrentConfig("SimpleRNN", 1, return_sequences=True), SMALL),
]


@pytest.mark.parametrize("config, dims", RECURRENT, ids=str)
def test_recurrent_repro_reproduces_the_run(config, dims):
    """A seeded run's snippet (set_random_seed, data, Input, layer, predict) gives the run's outputs."""
    run = run_recurrent(config, dims)
    assert_snippet_reproduces(run, run.repro())


PINNED = [
    *((config, {}) for config in PAGE_CELLS),
    (PAGE_CELLS[0], {"masked": True}),
    (PAGE_CELLS[0], {"initial_state": True}),
    (PAGE_CELLS[1], {"masked": True, "initial_state": True}),
    (PAGE_CELLS[3].with_options(use_bias=False), {}),
]


@pytest.mark.parametrize("config, call", PINNED, ids=lambda value: str(value) if value else "plain")
def test_pinned_repro_reproduces_the_run(config, call):
    """A pinned run's snippet (default_rng weights, mask, initial state) gives the run's outputs."""
    run = pinned_run(config, PAGE_DIMS, **call)
    assert_snippet_reproduces(run, run.repro())


TOKEN_DIMS = ShapeDims((PAGE_DIMS.batch, PAGE_DIMS.seq_len), ("batch", "seq"))
CHAINS = [
    (Chain((LSTMConfig(PAGE_UNITS, return_sequences=True), LSTMConfig(3))), PAGE_DIMS),
    (Chain((Layer.of("Embedding", 20, PAGE_DIMS.features, mask_zero=True), LSTMConfig(PAGE_UNITS, return_state=True)),
           tokens=True), TOKEN_DIMS),
]


@pytest.mark.parametrize("chain, dims", CHAINS, ids=str)
def test_chain_repro_reproduces_the_run(chain, dims):
    """A chain's snippet (stacked layers, token input) gives the run's outputs."""
    run = run_chain(chain, dims)
    assert_snippet_reproduces(run, run.repro())


WRONG_SEEDS = [
    pytest.param(lambda: run_recurrent(*RECURRENT[1]), "keras.utils.set_random_seed(313)", id="recurrent-weight-seed"),
    pytest.param(lambda: run_recurrent(*RECURRENT[1]), "default_rng(0)", id="recurrent-data-seed"),
    pytest.param(lambda: pinned_run(PAGE_CELLS[0], PAGE_DIMS), "default_rng(1234)", id="pinned-weight-seed"),
    pytest.param(lambda: pinned_run(PAGE_CELLS[0], PAGE_DIMS), "default_rng(0)", id="pinned-data-seed"),
    pytest.param(lambda: pinned_run(PAGE_CELLS[0], PAGE_DIMS, initial_state=True), "default_rng(1235)",
                 id="pinned-state-seed"),
    pytest.param(lambda: run_chain(*CHAINS[0]), "keras.utils.set_random_seed(313)", id="chain-weight-seed"),
    pytest.param(lambda: run_chain(*CHAINS[1]), "default_rng(0)", id="chain-data-seed"),
]


@pytest.mark.parametrize("make_run, seed_call", WRONG_SEEDS)
def test_snippet_with_a_wrong_seed_fails(make_run, seed_call):
    """The same snippet with one seed changed gives other values, and the comparison says so."""
    run = make_run()
    snippet = run.repro()
    assert 1 == snippet.count(seed_call)
    wrong = snippet.replace(seed_call, seed_call.replace("(", "(7"))
    with pytest.raises(AssertionError, match="should equal the expected values"):
        assert_snippet_reproduces(run, wrong)
