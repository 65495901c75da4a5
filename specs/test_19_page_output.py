"""19. The page's printed output: relations between its arrays, its summary tables against today's models.

The page (kept in ``docs/page/``, read by ``lstm_spec/models/page.py``; no number here is retyped)
printed arrays from TensorFlow 2.7.  Its data was drawn by ``np.random.normal`` *before* its first
``reset_graph()`` call, from a generator nobody had seeded, so its numbers cannot be reproduced
exactly by anyone, on any version.  What its numbers show can be checked: the relations the
equations impose between them (``lstm_spec/checks/page_output.py``), and its shapes and
parameter counts, which today's models give too:

- ``return_sequences=True``: the last step of each sequence equals the default output printed
  above it, to the printed precision (the page reseeded, so both models had the same weights);
- ``return_state=True``: ``_h`` (the output) equals ``h``; ``h`` and ``c`` differ; and every
  ``h / tanh(c)`` lies strictly between 0 and 1: an LSTM returns ``h = o * tanh(c)``, so that
  ratio is the last step's output gate ``o``, a sigmoid;
- the cell with both options prints the same ``h`` and ``c`` as the state cell (reseeded again);
- the ``time_major`` cell's ``h`` is (3, 5): 3 is the page's feature count, the axis Keras 2 read
  as the batch (``specs/test_06_time_major.py::test_page_time_major_call_reads_its_feature_axis_as_batch``
  reproduces it on Keras 2; Keras 3 has no ``time_major``);
- the two ``model.summary()`` tables list the layers, output shapes and parameter counts (14,
  160, 174; 14, 200, 214) that the suite's builders give today; the table's format has changed
  since (named by ``SUMMARY_CHANGES_SINCE_PAGE``); the weight shapes it printed, (3, 20), (5, 20)
  and (20,), are the suite's LSTM's.
"""

import numpy as np
import pytest

from lstm_spec.checks import page_output
from lstm_spec.checks.assertions import assert_shape
from lstm_spec.models.architectures import cnn_lstm, subsequence_lstm, summary_text
from lstm_spec.models.builders import fresh_keras, recurrent_model
from lstm_spec.models.configs import InputDims, LSTMConfig
from lstm_spec.models.era import KERAS_ERA, KERAS_NAME, for_this_era
from lstm_spec.models import observe
from lstm_spec.models.keras_under_test import keras
from lstm_spec.models.page import PageRun, PrintedShape, load_page

PAGE = load_page()
# The page's summary tables in its order: section 7's CNN -> LSTM, section 8's sub-sequence model.
SUMMARY_MODELS = {"cnn_lstm()": cnn_lstm, "subsequence_lstm()": subsequence_lstm}
# How the page's model.summary() (Keras 2.7) differs from today's, per Keras era.
SUMMARY_CHANGES_SINCE_PAGE = {
    2: {"totals give sizes in bytes"},
    3: {"model name", "input shape printed in a list", "totals give sizes in bytes", "box-drawn table",
        "layer type cut by its column"},
}
BATCH_MAJOR_CELLS = [cell for cell in PAGE.layer_cells if "time_major" not in cell.options]


def data_dims(shape) -> InputDims:
    return InputDims(*shape)


def test_default_output_is_the_last_step_of_the_sequences():
    """The page's return_sequences output, at its last step, equals the default output it printed above, to the printed precision."""
    page_output.check_default_output_last_step(PAGE)


def test_state_output_equals_h():
    """The page's return_state cell prints ``_h`` (the output) equal to ``h``."""
    page_output.check_state_output_equals_h(PAGE)


def test_state_h_and_c_differ():
    """The page's return_state cell prints ``h`` and ``c`` that differ: c is the cell state, h = o * tanh(c)."""
    page_output.check_state_h_differs_from_c(PAGE)


def test_h_over_tanh_c_is_the_output_gate():
    """Every ``h / tanh(c)`` the page's values give lies strictly between 0 and 1: it is the last step's output gate, a sigmoid."""
    gate = page_output.check_state_output_gate_in_unit_interval(PAGE)
    assert_shape("h / tanh(c)", gate, PAGE.cell(return_state=True).array("h").shape, "the page's return_state cell")


def test_sequences_and_state_cell_repeats_the_state_cell():
    """Reseeded, the page's cell with both options prints the state cell's ``h`` and ``c`` and the sequences cell's output."""
    page_output.check_sequences_and_state_repeat_state_cell(PAGE)


def test_time_major_h_is_features_by_units():
    """The page's time_major cell printed h of shape (in_features, units) = (3, 5): its feature axis was read as the batch."""
    page_output.check_time_major_h_shape(PAGE)
    cell = PAGE.cell(time_major=True)
    # time_major changes no weight: the parameter count is the same LSTM's on 9 features.
    model = recurrent_model(LSTMConfig(cell.units), data_dims(PAGE.time_major_data_shape))
    observe.report(PageRun(f"the page's {cell.call}", PrintedShape(PAGE.time_major_data_shape), cell.array("h"), model))


@pytest.mark.skipif(KERAS_ERA != 2, reason=f"{KERAS_NAME} has no time_major argument (specs/test_06)")
def test_time_major_shape_reproduced_on_keras2():
    """Keras 2: the page's time_major layer on data of the page's printed shape (2, 3, 9) gives h of the page's printed shape."""
    cell = PAGE.cell(time_major=True)
    fresh_keras()
    layer = keras.layers.LSTM(cell.units, **cell.options)
    h = layer(np.zeros(PAGE.time_major_data_shape, dtype=np.float32))
    assert_shape("h", h, cell.array("h").shape, f"LSTM({cell.units}, time_major=True) on {PAGE.time_major_data_shape}")


@pytest.mark.parametrize("cell", BATCH_MAJOR_CELLS, ids=lambda cell: str(LSTMConfig(cell.units, **cell.options)))
def test_printed_shapes_are_the_suite_layers(cell):
    """Each array the page printed has the shape the suite's LSTM with the same options returns on the page's data shape, in the same order."""
    model = recurrent_model(LSTMConfig(cell.units, **cell.options), data_dims(PAGE.data_shape))
    batch = PAGE.data_shape[0]
    expected = [(batch, *tensor.shape[1:]) for tensor in model.outputs]
    printed = list(cell.arrays.values())
    assert expected == [array.shape for array in printed], (
        f"the page's {cell.call} printed {[array.shape for array in printed]}, "
        f"the suite's model returns {expected} on {PAGE.data_shape}")
    observe.report(PageRun(f"the page's {cell.call}", PrintedShape(PAGE.data_shape),
                           printed if len(printed) > 1 else printed[0], model))


def test_printed_weight_shapes_are_the_suite_layer():
    """The kernel, recurrent kernel and bias shapes the page printed are the suite's LSTM(units) weights on the page's features, in that order."""
    model = recurrent_model(LSTMConfig(PAGE.variables["units"]), data_dims(PAGE.data_shape))
    expected = [tuple(weight.shape) for weight in model.layers[-1].get_weights()]
    assert expected == list(PAGE.weight_shapes.values()), (
        f"the page printed weight shapes {PAGE.weight_shapes}, the suite's LSTM has {expected}")


@pytest.mark.parametrize("name", SUMMARY_MODELS)
def test_summary_table_is_the_suite_model(name):
    """The page's model.summary() tables list the layer types, output shapes and parameter counts (and totals 174, 214) the suite's models have today."""
    index = list(SUMMARY_MODELS).index(name)
    table = PAGE.summaries[index]
    context = f"the page's summary table {index + 1} vs the suite's {name}"
    page_output.check_summary_totals(table, context)
    model = SUMMARY_MODELS[name]()
    page_output.check_summary_matches_model(table, model, context)
    first, last = table.rows[0], table.rows[-1]
    observe.report(PageRun(f"the page's model.summary() of {name}", PrintedShape(first.output_shape),
                           PrintedShape(last.output_shape), model))


def test_summary_format_changes_since_the_page():
    """The page's summary table and today's differ in the named features: on Keras 3 the box-drawn table, the model named 'functional', the input shape not in a list, sizes in bytes, type names wrapped whole; on Keras 2 the sizes in bytes."""
    # The sub-sequence model's long type names (TimeDistributed) show how each table wraps them.
    page_format = page_output.summary_format(PAGE.summaries[1].text)
    today_format = page_output.summary_format(summary_text(subsequence_lstm()))
    changed = {feature for feature in page_format if page_format[feature] != today_format[feature]}
    assert for_this_era(SUMMARY_CHANGES_SINCE_PAGE) == changed, (
        f"the page's summary format {page_format} and today's {today_format} differ in {sorted(changed)}, "
        f"not in the {sorted(for_this_era(SUMMARY_CHANGES_SINCE_PAGE))} stated for {KERAS_NAME}")
