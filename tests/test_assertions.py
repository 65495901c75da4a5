"""The assertion helpers: each passes on the right value and fails, readably, on a broken one."""

from types import SimpleNamespace

import numpy as np
import pytest

from lstm_spec.checks.assertions import (
    assert_close,
    assert_count,
    assert_differs,
    assert_layer_table,
    assert_shape,
    assert_type,
)
from lstm_spec.models.configs import PAGE_DIMS, LSTMConfig


def failure(check, *args, **kwargs) -> AssertionError:
    with pytest.raises(AssertionError) as raised:
        check(*args, **kwargs)
    return raised.value


def test_assert_shape_message_names_value_shapes_and_configuration():
    """A wrong shape fails as 'out.shape=(2, 9, 5), but should be (2, 5) [LSTM(units=5)]'."""
    error = failure(assert_shape, "out", np.zeros((2, 9, 5)), (2, 5), LSTMConfig(units=5))
    assert "out.shape=(2, 9, 5), but should be (2, 5) [LSTM(units=5)]" == str(error)
    assert_shape("out", np.zeros((2, 5)), (2, 5))


def test_failure_carries_a_repro_snippet():
    """With a repro snippet, the failure's notes hold it, indented, after 'Reproduce with:'."""
    error = failure(assert_shape, "out", (1,), (2,), "", "print('repro')")
    assert ["Reproduce with:\n    print('repro')"] == error.__notes__


def test_assert_count():
    """A wrong count fails naming the counted thing and both numbers."""
    assert "count_params()=159, but should be 160 [cnn]" == str(failure(assert_count, "count_params()", 159, 160, "cnn"))
    assert_count("n", 3, 3)


def test_assert_type_is_exact():
    """A list where a tuple is expected fails naming both types; the exact type passes."""
    assert "outputs is a list, but should be a tuple [LSTM]" == str(failure(assert_type, "outputs", [1], tuple, "LSTM"))
    assert_type("outputs", (1,), tuple)


def test_assert_close_reports_the_differing_elements():
    """Values beyond float32 tolerance fail with the element table; values within it pass."""
    expected = np.linspace(0, 1, 5, dtype=np.float32)
    assert_close("out", expected * np.float32(1 + 1e-7), expected)
    error = failure(assert_close, "out", expected + np.float32(1e-3), expected, "ctx")
    assert str(error).startswith("out should equal the expected values [ctx]:\nout: 5 of 5 elements differ")


def test_assert_differs():
    """Equal arrays fail assert_differs; different ones pass."""
    assert "c equals h, but they should differ [ctx]" == str(failure(assert_differs, "c", np.ones(2), "h", np.ones(2), "ctx"))
    assert_differs("c", np.ones(2), "h", np.zeros(2))


def test_assert_layer_table_shows_both_tables():
    """A wrong layer table fails listing the expected (-) and actual (+) rows."""
    from lstm_spec.models.keras_under_test import keras

    inputs = keras.Input(shape=PAGE_DIMS.shape[1:])
    model = keras.Model(inputs, keras.layers.LSTM(5)(inputs))
    right = [("InputLayer", (None, 9, 3), 0), ("LSTM", (None, 5), 180)]
    assert_layer_table(model, right)
    error = failure(assert_layer_table, model, [right[0], ("LSTM", (None, 5), 181)], "page")
    assert "-  LSTM" in str(error) and "181" in str(error) and "+  LSTM" in str(error)


@pytest.mark.parametrize(
    "config, text",
    [
        (LSTMConfig(units=5), "LSTM(units=5)"),
        (LSTMConfig(units=5, return_state=True), "LSTM(units=5,return_state=True)"),
        (LSTMConfig(units=1, return_sequences=True, return_state=True), "LSTM(units=1,return_sequences=True,return_state=True)"),
    ],
)
def test_configuration_ids_read_as_the_call(config, text):
    """Configurations print as the layer call, listing only options that differ from the default."""
    assert text == str(config)
    assert "batch=2-seq=9-features=3" == str(PAGE_DIMS)


def test_assert_run_matches_oracle_fails_on_a_broken_run():
    """A run whose outputs are off by 1e-3 fails against its oracle, carrying the run's repro snippet."""
    from types import SimpleNamespace

    from lstm_spec.checks.assertions import assert_run_matches_oracle

    expected = [np.linspace(-1, 1, 10).reshape(2, 5)]
    run = SimpleNamespace(outputs=[expected[0] + 1e-3], expected=lambda: expected, repro=lambda: "print('repro')")
    error = failure(assert_run_matches_oracle, run)
    assert "should equal the NumPy oracle's" in str(error)
    assert ["Reproduce with:\n    print('repro')"] == error.__notes__
    run.outputs = expected
    assert_run_matches_oracle(run)


def fake_masked_run(mask, output, *, as_list=True):
    """A pinned run as assert_mask_masks reads it: its mask, outputs ([output, h] or the output) and repro."""
    from types import SimpleNamespace

    outputs = [output, output[:, -1]] if as_list else output
    return SimpleNamespace(mask=np.asarray(mask), outputs=outputs, repro=lambda: "print('repro')")


def test_assert_mask_masks_refuses_a_mask_that_hides_nothing():
    """An all-True mask fails as checking no masking, with the run's repro; a mask that hides a step and changes the output passes."""
    from lstm_spec.checks.assertions import assert_mask_masks

    sequence = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    unmasked = fake_masked_run(np.ones((2, 3), bool), sequence)
    error = failure(assert_mask_masks, fake_masked_run(np.ones((2, 3), bool), sequence + 1), unmasked)
    assert str(error).startswith("the mask hides no step, so the case checks no masking [")
    assert ["Reproduce with:\n    print('repro')"] == error.__notes__
    hiding = np.array([[True, False, True], [True, True, True]])
    assert_mask_masks(fake_masked_run(hiding, sequence + 1), unmasked)
    assert_mask_masks(fake_masked_run(hiding, sequence + 1, as_list=False), fake_masked_run(hiding, sequence, as_list=False))


def test_assert_mask_masks_refuses_a_mask_that_changes_nothing():
    """A mask that hides a step but leaves the output as without it fails naming both outputs."""
    from lstm_spec.checks.assertions import assert_mask_masks

    sequence = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    hiding = np.array([[True, False, True], [True, True, True]])
    error = failure(assert_mask_masks, fake_masked_run(hiding, sequence), fake_masked_run(hiding, sequence))
    assert str(error).startswith("masked output equals unmasked output, but they should differ [")


def test_assert_layer_table_message_lists_each_row():
    """The layer-table failure is a heading, then each expected row (-) and each actual row (+), aligned."""
    from lstm_spec.models.keras_under_test import keras

    inputs = keras.Input(shape=PAGE_DIMS.shape[1:])
    model = keras.Model(inputs, keras.layers.LSTM(5)(inputs))
    error = failure(assert_layer_table, model, [("LSTM", (None, 5), 181)], "page")
    assert ["layer table differs (- should be, + is) [page]:",
            "       layer                      output shape           params",
            "    -  LSTM                       (None, 5)              181",
            "    +  InputLayer                 (None, 9, 3)           0",
            "    +  LSTM                       (None, 5)              180"] == str(error).splitlines()


def test_assert_differs_passes_on_other_shapes_and_fails_within_tolerance():
    """Arrays of different shapes differ; arrays within float32 tolerance of each other do not."""
    assert_differs("c", np.ones(2), "h", np.ones(3))
    failure(assert_differs, "c", np.ones(2), "h", np.ones(2) * (1 + 1e-7))


def test_assert_close_takes_a_tolerance():
    """A looser rtol/atol passes values the default tolerance refuses."""
    expected = np.ones(3, np.float32)
    failure(assert_close, "out", expected + 1e-3, expected)
    assert_close("out", expected + 1e-3, expected, rtol=0, atol=2e-3)
    assert_close("out", expected + 1e-3, expected, rtol=2e-3, atol=0)


def test_failure_without_repro_has_no_notes():
    """Without a repro snippet the failure carries no 'Reproduce with' note."""
    assert not hasattr(failure(assert_count, "n", 1, 2), "__notes__")


def test_oracle_outputs_are_named_output_state_h_state_c_or_by_index():
    """Up to three outputs are named output, state_h, state_c; more are named by index."""
    from lstm_spec.checks.assertions import assert_matches_oracle

    arrays = [np.zeros(2), np.zeros(2), np.ones(2)]
    assert "state_c: 2 of 2 elements differ" in str(failure(assert_matches_oracle, arrays, [np.zeros(2)] * 3))
    four = [*arrays, np.zeros(2)]
    assert "[2]: 2 of 2 elements differ" in str(failure(assert_matches_oracle, four, [np.zeros(2)] * 4))
    assert_matches_oracle(np.zeros(2), np.zeros(2))
    assert "len(outputs)=1, but should be 2" in str(failure(assert_matches_oracle, np.zeros(2), (np.zeros(2),) * 2))


HIDDEN = '''
import numpy as np
from types import SimpleNamespace
from lstm_spec.checks import assertions as a

RUN = SimpleNamespace(outputs=[np.ones(2)], expected=lambda: [np.zeros(2)], repro=lambda: "x = 1\\ny = 2",
                      mask=np.ones(2, bool))


def lstm_model():
    from lstm_spec.models.keras_under_test import keras

    inputs = keras.Input(shape=(9, 3))
    return keras.Model(inputs, keras.layers.LSTM(5)(inputs))

def test_shape(): a.assert_shape("out", (1,), (2,))
def test_count(): a.assert_count("n", 1, 2)
def test_type(): a.assert_type("out", [], tuple)
def test_close(): a.assert_close("out", np.ones(2), np.zeros(2))
def test_oracle(): a.assert_matches_oracle(np.ones(2), np.zeros(2))
def test_run(): a.assert_run_matches_oracle(RUN)
def test_mask(): a.assert_mask_masks(RUN, RUN)
def test_differs(): a.assert_differs("c", np.ones(2), "h", np.ones(2))
def test_table(): a.assert_layer_table(lstm_model(), [])
'''


def test_helpers_hide_themselves_from_the_traceback(pytester):
    """A failing helper's traceback ends at the spec's line: no frame of assertions.py is shown."""
    # Imported here, so the in-process run reuses it rather than importing it anew.
    from lstm_spec.models.keras_under_test import keras  # noqa: F401

    pytester.makepyfile(test_hidden=HIDDEN)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tb=long")
    result.assert_outcomes(failed=9)
    assert "assertions.py" not in result.stdout.str()


def test_every_helper_passes_context_and_repro_on():
    """Each helper's failure names its context and carries its repro snippet, the oracle's through its count and shape checks."""
    from lstm_spec.checks.assertions import assert_matches_oracle

    checks = [
        (assert_count, ("n", 1, 2, "ctx", "r()")),
        (assert_type, ("out", [], tuple, "ctx", "r()")),
        (assert_close, ("out", np.ones(2), np.zeros(2), "ctx", "r()")),
        (assert_differs, ("c", np.ones(2), "h", np.ones(2), "ctx", "r()")),
        (assert_matches_oracle, ([np.ones(2)], [np.ones(2)] * 2, "ctx", "r()")),
        (assert_matches_oracle, ([np.ones(3)], [np.ones(2)], "ctx", "r()")),
        (assert_matches_oracle, ([np.ones(2)], [np.zeros(2)], "ctx", "r()")),
    ]
    for check, arguments in checks:
        error = failure(check, *arguments)
        assert "[ctx]" in str(error), check.__name__
        assert ["Reproduce with:\n    r()"] == error.__notes__, check.__name__


def test_messages_are_one_line_per_difference_and_the_expected_column_is_named():
    """Two differing arrays give one report line each, under a column headed 'expected'; notes indent every repro line."""
    from lstm_spec.checks.assertions import assert_matches_oracle

    error = failure(assert_matches_oracle, [np.ones(2), np.ones(2)], [np.zeros(2), np.zeros(2)], "ctx", "a\nb")
    lines = str(error).splitlines()
    assert "the layer's outputs should equal the NumPy oracle's [ctx]:" == lines[0]
    assert lines[1].startswith("output: 2 of 2") and "expected" == lines[2].split()[1]
    assert ["Reproduce with:\n    a\n    b"] == error.__notes__
    close = str(failure(assert_close, "out", np.ones(2), np.zeros(2))).splitlines()
    assert ("out should equal the expected values []:", "expected") == (close[0], close[2].split()[1])


def test_oracle_comparison_takes_float32_expected_values():
    """Expected values in float32 are compared as float64 like the outputs, not refused for their dtype."""
    from lstm_spec.checks.assertions import assert_matches_oracle

    assert_matches_oracle([np.ones(2, np.float32)], [np.ones(2, np.float32)])
    assert_matches_oracle([np.ones(2, np.float64)], [np.ones(2, np.float32)])


def test_failure_without_context_shows_empty_brackets():
    """A helper called without a configuration ends its first line with '[]', not some placeholder."""
    from lstm_spec.models.keras_under_test import keras

    from lstm_spec.checks.assertions import assert_matches_oracle

    inputs = keras.Input(shape=PAGE_DIMS.shape[1:])
    model = keras.Model(inputs, keras.layers.LSTM(5)(inputs))
    first_lines = [str(failure(check, *arguments)).splitlines()[0] for check, arguments in [
        (assert_shape, ("out", (1,), (2,))),
        (assert_count, ("n", 1, 2)),
        (assert_type, ("out", [], tuple)),
        (assert_matches_oracle, ([np.ones(2)], [np.zeros(2)])),
        (assert_differs, ("c", np.ones(2), "h", np.ones(2))),
        (assert_layer_table, (model, [])),
    ]]
    assert ["out.shape=(1,), but should be (2,) []",
            "n=1, but should be 2 []",
            "out is a list, but should be a tuple []",
            "the layer's outputs should equal the NumPy oracle's []:",
            "c equals h, but they should differ []",
            "layer table differs (- should be, + is) []:"] == first_lines


def test_pinned_run_wrappers_name_the_run_and_carry_its_repro():
    """assert_run_matches_oracle and assert_mask_masks fail naming the run in brackets, with its repro snippet."""
    from types import SimpleNamespace

    from lstm_spec.checks.assertions import assert_mask_masks, assert_run_matches_oracle

    run = SimpleNamespace(outputs=[np.ones(2)], expected=lambda: [np.zeros(2)], repro=lambda: "print('repro')")
    sequence = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    hiding = np.array([[True, False, True], [True, True, True]])
    masked = fake_masked_run(hiding, sequence)
    for error, named in [(failure(assert_run_matches_oracle, run), run),
                         (failure(assert_mask_masks, masked, fake_masked_run(hiding, sequence)), masked)]:
        assert f"[{named}]" in str(error)
        assert ["Reproduce with:\n    print('repro')"] == error.__notes__


def test_mask_check_compares_the_whole_output_not_a_state_or_a_row():
    """assert_mask_masks compares the output itself: a state equal in both runs, or an equal first batch row, still passes."""
    from lstm_spec.checks.assertions import assert_mask_masks

    hiding = np.array([[True, False, True], [True, True, True]])
    sequence = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    state = np.zeros((2, 2), np.float32)
    masked, unmasked = (SimpleNamespace(mask=hiding, outputs=[output, state], repro=lambda: "")
                        for output in (sequence + 1, sequence))
    assert_mask_masks(masked, unmasked)
    second_row_moved = sequence.copy()
    second_row_moved[1] += 1
    assert_mask_masks(fake_masked_run(hiding, second_row_moved, as_list=False),
                      fake_masked_run(hiding, sequence, as_list=False))
