"""The saving helpers: bit-for-bit output comparison, nested differences, flat outputs and the catalog's names."""

import numpy as np
import pytest

from lstm_spec.checks.assertions import MISSING, assert_same, assert_same_outputs, differences
from lstm_spec.saving import catalog
from lstm_spec.saving.formats import FORMATS, flat_outputs, formats_written_here
from lstm_spec.saving.side import SAVING_ERA


def failure(check, *args, **kwargs) -> AssertionError:
    with pytest.raises(AssertionError) as raised:
        check(*args, **kwargs)
    return raised.value


def test_same_outputs_fails_on_one_bit_naming_the_largest_difference():
    """One value moved by one float32 step fails, giving the difference and how many values differ."""
    ones = np.ones((2, 5), np.float32)
    moved = ones.copy()
    moved[1, 2] = np.nextafter(np.float32(1), np.float32(2))
    error = failure(assert_same_outputs, (moved,), (ones,), "case")
    assert ("outputs should equal the expected ones bit for bit [case]:\n"
            "    [0]: differs by up to 1.19e-07 (1 of 10 values)") == str(error)
    assert_same_outputs((ones.copy(),), (ones,))


def test_same_outputs_fails_on_another_shape_or_count():
    """A (2, 5) output where (2, 9, 5) was saved fails naming both; a missing output fails on the count."""
    error = failure(assert_same_outputs, (np.zeros((2, 5), np.float32),), (np.zeros((2, 9, 5), np.float32),))
    assert "[0]: float32(2, 5), but should be float32(2, 9, 5)" in str(error)
    assert "len(outputs)=1, but should be 2" in str(failure(assert_same_outputs, (np.zeros(1),), (np.zeros(1),) * 2))


def test_differences_name_the_paths_of_nested_values():
    """Nested dicts and lists differ at named paths; a missing key reads as MISSING."""
    saved = {"layers": [{"config": {"units": 5, "unroll": False}}, {"build_config": {"input_shape": [None, 9]}}]}
    read = {"layers": [{"config": {"units": 5, "unroll": True}}, {}]}
    assert [("layers[0].config.unroll", True, False), ("layers[1].build_config", MISSING, {"input_shape": [None, 9]})] \
        == differences(read, saved)
    assert [] == differences(saved, saved)
    error = failure(assert_same, "config", read, saved, "case")
    assert "config differs [case]:\n    layers[0].config.unroll: True, but should be False" in str(error)


def test_flat_outputs_orders_a_signatures_dict_by_its_numbers():
    """``output_10`` comes after ``output_2``, and ``lstm`` before ``lstm_1``; a list keeps its order."""
    named = {f"output_{index}": np.full(1, index) for index in (10, 2, 0)}
    assert [0, 2, 10] == [int(array[0]) for array in flat_outputs(named)]
    assert [0, 1] == [int(array[0]) for array in flat_outputs({"lstm_1": np.ones(1), "lstm": np.zeros(1)})]
    assert 2 == len(flat_outputs([np.zeros(1), np.ones(1)]))


def test_catalog_names_are_unique_and_each_era_writes_four_formats():
    """The case names are the dict's keys, and this era writes four formats whose ids name the era."""
    assert list(catalog.CASES) == [case.name for case in catalog.CASES.values()]
    written = formats_written_here()
    assert 4 == len(written)
    assert all(saved.id.startswith(f"keras{SAVING_ERA}-") for saved in written)
    assert 8 == len(FORMATS)


def test_time_major_is_built_only_on_keras_2():
    """``page_time_major`` needs Keras 2's time_major argument; every other case builds on both eras."""
    assert {"page_time_major"} == {case.name for case in catalog.CASES.values() if case.eras != catalog.BOTH_ERAS}
    assert (SAVING_ERA == 2) == catalog.CASES["page_time_major"].buildable
