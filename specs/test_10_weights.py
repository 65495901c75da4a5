"""10. Weights: kernel U (features, 4*units), recurrent kernel W (units, 4*units), bias (4*units,).

The page writes the recurrence as h_t = tanh(b + W h_{t-1} + U x_t), the simple-RNN cell; the
LSTM computes four such blocks side by side (input, forget, candidate and output gates), which is
why every weight has 4*units columns.
"""

from lstm_spec.checks.assertions import assert_count, assert_shape

GATES = 4


def test_weights_are_kernel_recurrent_kernel_bias(lstm_run):
    """``get_weights()`` is [kernel (features, 4*units), recurrent_kernel (units, 4*units), bias (4*units,)]."""
    units, features = lstm_run.config.units, lstm_run.dims.features
    assert_count("len(get_weights())", len(lstm_run.weights), 3, lstm_run, lstm_run.repro())
    kernel, recurrent_kernel, bias = lstm_run.weights
    assert_shape("kernel", kernel, (features, GATES * units), lstm_run, lstm_run.repro())
    assert_shape("recurrent_kernel", recurrent_kernel, (units, GATES * units), lstm_run, lstm_run.repro())
    assert_shape("bias", bias, (GATES * units,), lstm_run, lstm_run.repro())


def test_parameter_count_is_4_units_times_features_plus_units_plus_1(lstm_run):
    """The layer has 4*units*(features + units + 1) parameters, whatever its return options."""
    units, features = lstm_run.config.units, lstm_run.dims.features
    expected = GATES * units * (features + units + 1)
    assert_count("layer.count_params()", lstm_run.layer.count_params(), expected, lstm_run, lstm_run.repro())


def test_weight_names_follow_the_page(lstm_run):
    """The three variables are named kernel, recurrent_kernel and bias, in that order."""
    names = [variable.name.split("/")[-1].split(":")[0] for variable in lstm_run.layer.weights]
    assert ["kernel", "recurrent_kernel", "bias"] == names
