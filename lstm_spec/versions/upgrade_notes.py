"""The history page's notes: a sentence of explanation for some of one release's changes, kept beside the release.

``NOTES`` maps a release (line, release) to its notes.  A note covers the changes of its specs whose test, words or
message its pattern finds (of its kinds, if it names any), says in one line what they are (``{count}``: how many
it covers, ``{largest}``: their largest difference, ``{until}``: the release that fixes them, on a line's first
release), and files them under its kind.  The page is written from the results: a note only words what they hold,
and one whose release ran but which covers none of its changes is listed as no longer supported
(``history_brings``), which fails ``tests/test_history_brings.py`` on the committed page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SAVED_FILES = "test_43_saved_across_versions"
ROUND_TRIP = "test_41_saved_round_trip"
LAYER_DEFAULTS = "test_17_layer_defaults"
ERRORS = "test_31_errors"
MIGRATIONS = "test_44_saved_migrations"


@dataclass(frozen=True)
class Note:
    """What some of a release's changes are, and which changes those are."""

    specs: tuple[str, ...]  # the specs whose changes it covers ...
    pattern: str  # ... those whose test, words or message this regular expression finds
    says: str  # the line: {count}, {largest}, {until}
    kind: str | None = None  # the kind it files them under (None: that of the first it covers)
    of: tuple[str, ...] = ()  # only changes of these kinds (none: of any)
    evidence: str = ""  # a regular expression one of the changes it covers must match (a message cut short may not)

    def covers(self, spec: str, kind: str, text: str) -> bool:
        found = re.search(self.pattern, text, re.DOTALL)
        return spec in self.specs and (not self.of or kind in self.of) and found is not None

    def supported_by(self, texts: list[str]) -> bool:
        """Whether the changes it covers (their texts) are what it says: any at all, one matching ``evidence``."""
        return bool(texts) and (not self.evidence or any(re.search(self.evidence, text, re.DOTALL) for text in texts))

    def describe(self) -> str:
        kinds = f" ({', '.join(self.of)})" if self.of else ""
        evidence = f", one of them `{self.evidence}`" if self.evidence else ""
        return f"`{self.pattern}` in {', '.join(self.specs)}{kinds}{evidence}: {self.says}"


STATEFUL_BATCH = Note((ERRORS, ROUND_TRIP), r"OperatorNotAllowedInGraphError",
                      "a stateful LSTM's `predict()` on another batch size after one on its own raises "
                      "`OperatorNotAllowedInGraphError`, and so does `export()` of a stateful model ({count} specs)",
                      kind="raises", of=("breaks", "changed"))

NOTES: dict[tuple[str, str], tuple[Note, ...]] = {
    ("tensorflow", "2.13.1"): (
        Note((ROUND_TRIP,), r"get_config\(\) differences",
             "{count} `get_config()` differences of a model read back against the model saved, one cause: Keras "
             "2.13's loaders add `module` and `registered_name` keys the saved model's own config lacks",
             kind="changed", of=("breaks", "changed"),
             evidence=r"'layers\[\d+\]\.module', 'keras\.layers', '<missing>'.*'layers\[\d+\]\.registered_name'"),
    ),
    ("tensorflow", "2.14.1"): (
        Note((ROUND_TRIP,), r"get_config\(\) differences",
             "the {count} `get_config()` differences of 2.13 (its loaders' `module` keys) are gone", of=("fixed",)),
    ),
    ("tensorflow", "2.16.2"): (
        Note((SAVED_FILES, LAYER_DEFAULTS),
             r"ConvLSTM1D\.recurrent_activation\b|keras2-weights load_weights conv_lstm1d",
             "ConvLSTM1D's default `recurrent_activation` changes from `hard_sigmoid` to `sigmoid`: Keras 2 "
             "weights loaded into the model rebuilt give values moved by {largest}", of=("values move",),
             evidence=r"hard_sigmoid → sigmoid"),
        Note((ERRORS,), r"raised \w+",
             "{count} mistakes are told in Keras 3.4's words, not in those of Keras 3.15 that `TOLD` pins",
             kind="changed", of=("breaks",), evidence=r"but should raise ValueError saying"),
        Note(("test_06_time_major", LAYER_DEFAULTS), r"time_major",
             "`time_major` is gone: Keras 3 refuses the argument, so a Keras 2 model or call that passes it "
             "no longer builds", kind="raises"),
        Note(("test_25_stateful",), r"reset_states\(states",
             "`reset_states(states=...)` is gone (its error is pinned in `test_31_errors`)", kind="raises"),
        Note((LAYER_DEFAULTS,), r"recurrent_initializer.*OrthogonalInitializer|class_name in",
             "the recurrent initializer is written `OrthogonalInitializer` in a layer's config, not `Orthogonal` "
             "({count} changes)", kind="changed"),
        Note(("test_26_initial_state",), r"extra_initial_state_tensors_for_a_gru",
             "a GRU given extra initial-state tensors ignores them: Keras 2 refused them", kind="changed"),
    ),
    ("tensorflow", "2.21.0"): (STATEFUL_BATCH,),
    ("keras", "3.0.5"): (
        Note(("test_22_bidirectional",), r"can only concatenate list",
             "`Bidirectional` with `return_state=True` raises `TypeError: can only concatenate list` "
             "({count} specs) until {until}", kind="raises", of=("broken",)),
        Note((ROUND_TRIP, SAVED_FILES), r"\[bidirectional_\w+-keras3-keras-load_model\]|"
             r"keras3-oldest keras3-keras load_model bidirectional",
             "a `Bidirectional` model's `.keras` file does not load back (`Layer 'lstm_cell' expected 3 variables, "
             "but received 0 variables during loading`; {count} specs and files) until {until}",
             kind="stops loading", of=("broken",), evidence=r"Layer 'lstm_cell' expected 3 variables, but received 0"),
    ),
    ("keras", "3.12.4"): (STATEFUL_BATCH,),
    ("keras", "3.14.1"): (
        Note((ERRORS, ROUND_TRIP), r"OperatorNotAllowedInGraphError|serving function",
             "a stateful LSTM's `predict()` on another batch size and its `export()` work again ({count} specs: "
             "no `OperatorNotAllowedInGraphError`)", kind="fixed", of=("fixed", "changed"),
             evidence=r"OperatorNotAllowedInGraphError"),
    ),
    ("keras-nightly", "nightly"): (
        Note((SAVED_FILES,), r"keras3-oldest.*KerasSaveable",
             "the model files Keras 3.0.0 wrote (`keras3-oldest`, `.keras` and `.h5`) stop loading, {count} that "
             "Keras 3.15.1 loads: `Could not deserialize 'keras.initializers.OrthogonalInitializer' because it is "
             "not a KerasSaveable subclass`", of=("stops loading",)),
        Note((ROUND_TRIP,), r"masking-keras3-h5",
             "a Masking model's legacy `.h5` loads back now (Keras 3.15.1 raises `Unknown layer: 'NotEqual'`, "
             "which the spec pins)", kind="changed", of=("breaks",),
             evidence=r"failing step=None, but should be 'load'"),
        Note((MIGRATIONS,), r"Could not deserialize class 'Functional'",
             "Keras 2 `.keras` files still fail, the error now quoting the module (`parent module "
             "'keras.src.engine.functional'`): {count} specs pin the words of Keras 3.15.1", kind="changed",
             of=("breaks",), evidence=r"parent module 'keras\.src\.engine\.functional'"),
    ),
}
