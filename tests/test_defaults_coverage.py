"""The defaults coverage check: the layer classes a run built, wrapped ones included, and the message naming unpinned ones."""

from types import SimpleNamespace

from lstm_spec.checks.defaults_coverage import layer_classes, unpinned_message
from lstm_spec.models.configs import LSTMConfig


class Layer:
    def __init__(self, **wrapped):
        self.__dict__.update(wrapped)

    def get_config(self):
        return {}


class InputLayer(Layer):
    pass


class LSTM(Layer):
    pass


class Bidirectional(Layer):
    pass


class TimeDistributed(Layer):
    pass


class Dense(Layer):
    pass


def test_a_models_layers_and_the_layers_they_wrap_are_named():
    """A model's run names each layer's class and those of the layers Bidirectional and TimeDistributed wrap."""
    model = SimpleNamespace(layers=[InputLayer(), Bidirectional(forward_layer=LSTM(), backward_layer=LSTM()),
                                    TimeDistributed(layer=Dense())])
    assert {"InputLayer", "Bidirectional", "LSTM", "TimeDistributed", "Dense"} == layer_classes(SimpleNamespace(model=model))


def test_a_pinned_run_names_its_configs_layer():
    """A run without a model (a pinned layer) names the layer of its configuration."""
    assert {"LSTM"} == layer_classes(SimpleNamespace(config=LSTMConfig(5)))


def test_message_names_each_unpinned_class_and_where_it_was_built():
    """Classes built but not pinned are named with the spec files that built them; pinned ones are not mentioned."""
    message = unpinned_message({"LSTM": {"specs/a.py"}, "Dropout": {"specs/b.py", "specs/a.py"}}, {"LSTM": None})
    assert "Dropout, built by specs/a.py, specs/b.py" in message
    assert "LSTM," not in message


def test_no_message_when_every_built_class_is_pinned():
    """Nothing is reported when every built class is pinned."""
    assert unpinned_message({"LSTM": {"specs/a.py"}}, {"LSTM": None, "GRU": None}) is None
