"""A spec run fails when the specs built a layer class whose defaults are not pinned (a pytest plugin).

Every run a spec makes reaches ``lstm_spec.models.observe``; this plugin names the Keras layer
classes in each (a model's layers and the layers they wrap, or a pinned run's layer) and, at the
end of the run, compares them with ``LAYERS`` of ``lstm_spec.checks.layer_defaults``: the classes
whose documented defaults ``specs/test_17_layer_defaults.py`` pins (that spec checks that its table
covers exactly ``LAYERS``).  So a new layer in any spec cannot rely on defaults nobody pinned.  The
names travel in the report's ``user_properties``, so ``-n`` (pytest-xdist) runs are checked too.
"""

from __future__ import annotations

import pytest

from lstm_spec.models import observe

RECORD = "lstm_spec.layer_classes"
WRAPPED = ("layer", "forward_layer", "backward_layer")  # TimeDistributed, Bidirectional


def class_names(layer) -> set[str]:
    """The class of ``layer`` and of every layer it wraps, by name."""
    names = {type(layer).__name__}
    for attribute in WRAPPED:
        inner = getattr(layer, attribute, None)
        if callable(getattr(inner, "get_config", None)):
            names |= class_names(inner)
    return names


def layer_classes(run) -> set[str]:
    """The layer classes a run built: its model's layers (wrapped ones included), or its config's layer."""
    model = getattr(run, "model", None)
    if model is not None:
        return set().union(*(class_names(layer) for layer in model.layers))
    config = getattr(run, "config", None)
    return {config.layer} if config is not None else set()


def unpinned_message(built: dict[str, set[str]], pinned) -> str | None:
    """None when every built class is pinned; else which are not, where they were built, and what to do."""
    missing = sorted(set(built) - set(pinned))
    if not missing:
        return None
    lines = [f"{name}, built by {', '.join(sorted(built[name]))}" for name in missing]
    return ("Layer classes the specs built whose defaults are not pinned:\n  " + "\n  ".join(lines)
            + "\nAdd each to LAYERS in lstm_spec/checks/layer_defaults.py and its documented defaults to "
              "specs/test_17_layer_defaults.py.")


_CLASSES = pytest.StashKey[set]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    classes = item.stash[_CLASSES] = set()
    with observe.observing(lambda run: classes.update(layer_classes(run))):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "call" and item.stash.get(_CLASSES, None):
        item.user_properties.append((RECORD, sorted(item.stash[_CLASSES])))
    return (yield)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(CoverageKeeper(), "lstm_spec-defaults-coverage")


class CoverageKeeper:
    """Gathers the built classes on the process that reports (the xdist controller) and checks them."""

    def __init__(self):
        self.built: dict[str, set[str]] = {}
        self.message: str | None = None

    def pytest_runtest_logreport(self, report):
        for name, value in report.user_properties:
            if name == RECORD:
                for layer in value:
                    self.built.setdefault(layer, set()).add(report.location[0])

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        from lstm_spec.checks.layer_defaults import LAYERS

        self.message = unpinned_message(self.built, LAYERS)
        if self.message:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:  # the last line then reads "... passed, 1 layer class without pinned defaults"
                reporter.stats.setdefault("layer class without pinned defaults", []).extend(
                    sorted(set(self.built) - set(LAYERS)))

    def pytest_terminal_summary(self, terminalreporter):
        if self.message:
            terminalreporter.write_sep("-", "layer defaults", red=True)
            for line in self.message.splitlines():
                terminalreporter.line(line, red=True)
