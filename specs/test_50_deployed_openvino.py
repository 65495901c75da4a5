"""deployed to OpenVINO: export(format="openvino") of a recurrent model fails to convert, as OUTCOMES states.

A Keras 3 model exported with ``model.export(path, format="openvino")`` on TensorFlow: OpenVINO's TensorFlow
front end has no conversion rule for the TensorList ops of Keras 3's recurrent loop, so no catalog model
with a recurrent layer converts, with a dynamic batch or a fixed one (``OUTCOMES``).

Runs in the deploy session (``python3 suite.py matrix deploy``, openvino installed); by default a few cases
of distinct kinds, ``LSTM_SPEC_DEPLOY_ALL=1`` every catalog case.
"""

import pytest

from lstm_spec.deploy import observed
from lstm_spec.deploy.artifacts import WHOLE_MATRIX, as_arrays, fixed_input_signature, not_installed, runtime
from lstm_spec.deploy.outcomes import Cell, Fails, StepFailed, assert_fails, attempt
from lstm_spec.models.backend import KERAS_BACKEND
from lstm_spec.saving.catalog import buildable_cases, built
from lstm_spec.saving.side import BUILDERS_BUILD_THE_KERAS_UNDER_TEST, NOT_UNDER_TEST, SAVING_ERA

TENSOR_LIST = Fails("convert", "OpConversionFailure", "No conversion rule found for operations: TensorList",
                    why="Keras 3's recurrent loop keeps its steps in a TensorList, which OpenVINO 2026.4 "
                        "cannot convert")
# signature -> the outcome for every case (``cases`` where one differs)
OUTCOMES = {"dynamic-batch": Cell(TENSOR_LIST), "fixed-batch": Cell(TENSOR_LIST)}
PATHS = {"dynamic-batch": "export-openvino", "fixed-batch": "export-openvino-fixed-batch"}  # the cells' paths
DEFAULT_CASES = {"page_lstm", "gru_reset_after", "stateful"}


def _reason_to_skip() -> str | None:
    if not BUILDERS_BUILD_THE_KERAS_UNDER_TEST:
        return NOT_UNDER_TEST
    if SAVING_ERA != 3:
        return "model.export(format='openvino') is Keras 3's"
    if KERAS_BACKEND != "tensorflow":
        return f"stated on the TensorFlow backend; this run's backend is {KERAS_BACKEND}"
    return not_installed("openvino")


pytestmark = pytest.mark.skipif(_reason_to_skip() is not None, reason=str(_reason_to_skip()))


def _signature(arrays, signature: str):
    """None (the model's own, batch dynamic) or the seeded input's shapes."""
    return None if signature == "dynamic-batch" else fixed_input_signature(arrays)


def _export(case, signature, path):
    import openvino

    model = built(case).model
    model.export(str(path), format="openvino", verbose=False,
                 input_signature=_signature(as_arrays(built(case).data), signature))
    return openvino.Core().read_model(str(path))


@pytest.mark.parametrize("signature", list(OUTCOMES))
@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in buildable_cases()
                                  if WHOLE_MATRIX or case.name in DEFAULT_CASES])
def test_an_openvino_export(case, signature, tmp_path, request):
    """A catalog case exported to OpenVINO IR converts, or fails at the step and with the error stated."""
    expected = OUTCOMES[signature].expected(case.name)
    try:
        attempt("convert", _export, case, signature, tmp_path / "model.xml")
        failure = None
    except StepFailed as error:
        failure = error
    observed.record(request, observed.Cell("openvino", PATHS[signature], case.name),
                    **(observed.fails(failure, runtime("openvino")) if failure else {"runtime": runtime("openvino")}))
    assert_fails(failure, expected, f"{case}, {signature}")
