"""`tf-keras` names Keras 2 on the locked TensorFlow for `matrix`, `report` and `speed`: its own nox session, run
with TF_USE_LEGACY_KERAS=1 so that the page's imports (``tf.keras``) and the suite test tf-keras."""

import argparse
import io
import subprocess
import sys

import pytest

from lstm_spec.versions import side_run, upgrade_report
from lstm_spec.versions.side_results import SideResult
from lstm_spec.versions.sides import LOCKS, ROOT, nox_command, resolve, session_environment

TF_KERAS = {"KERAS_BACKEND": "tensorflow", "TF_USE_LEGACY_KERAS": "1"}


class FakeSession:
    """What a noxfile session function uses of ``nox.Session``: its name, arguments, variables, ``run`` and
    ``run_install`` (the pip steps)."""

    def __init__(self, name: str, exported: dict[str, str]):
        self.name, self.posargs, self.env, self.runs = name, [], dict(exported), []

    def run(self, *command, **options):
        self.runs.append((command, dict(self.env)))

    run_install = run


def test_matrix_resolves_tf_keras_to_its_own_session_and_lock():
    """`matrix tf-keras` runs the nox session tf-keras, whose lock is requirements/tf-keras-lock.txt."""
    assert ("tf-keras", "tf-keras") == (resolve("tf-keras").name, resolve("tf-keras").session)
    assert ROOT / "requirements" / "tf-keras-lock.txt" == LOCKS["tf-keras"]
    command = nox_command(resolve("tf-keras"), ["-k", "time_major"])
    assert ["--sessions", "tf-keras", "--", "-k", "time_major"] == command[-5:]


@pytest.mark.parametrize("session", list(LOCKS) + ["version"])
def test_only_the_tf_keras_session_sets_legacy_keras(session):
    """TF_USE_LEGACY_KERAS is 1 in the tf-keras sessions (and deploy-tf-keras) and 0 in every other, on TensorFlow but
    in jax and torch (and deploy-jax, deploy-torch)."""
    legacy = "1" if session in ("tf-keras", "deploy-tf-keras") else "0"
    backend = {"jax": "jax", "torch": "torch", "deploy-jax": "jax", "deploy-torch": "torch"}.get(session, "tensorflow")
    assert {"KERAS_BACKEND": backend, "TF_USE_LEGACY_KERAS": legacy} == session_environment(session)


@pytest.mark.parametrize("session, exported", [
    ("tf-keras", {"TF_USE_LEGACY_KERAS": "0", "KERAS_BACKEND": "jax"}),
    ("locked", {"TF_USE_LEGACY_KERAS": "1"}),
    ("jax", {"TF_USE_LEGACY_KERAS": "1", "KERAS_BACKEND": "torch"}),
], ids=["session=tf-keras", "session=locked", "session=jax"])
def test_the_noxfile_runs_pytest_under_its_sessions_variables(noxfile, session, exported):
    """The noxfile's session runs pytest under ``session_environment``'s variables, whatever was exported."""
    fake = FakeSession(session, exported)
    getattr(noxfile, session.replace("-", "_"))(fake)
    [(pip, _), (pytest_run, variables)] = fake.runs
    assert ("python", "-m", "pip") == pip[:3] and ("python", "-m", "pytest", "specs", "tests") == pytest_run
    assert session_environment(session) == {name: variables[name] for name in session_environment(session)}


@pytest.mark.parametrize("session", ["deploy-keras2", "deploy-tf-keras", "deploy-torch", "deploy-jax"])
@pytest.mark.parametrize("posargs", [[], ["-n", "2"], ["specs/test_52_deployed_onnx_keras2.py"]], ids=str)
def test_a_deploy_session_runs_the_deploy_specs_unless_told(noxfile, session, posargs):
    """A Keras 2 or other-backend deploy session installs its own lock and gives pytest the deploy specs as testpaths (what it runs
    when the arguments, which follow, name no path), under ``session_environment``'s variables."""
    fake = FakeSession(session, {"TF_USE_LEGACY_KERAS": "0" if session == "deploy-tf-keras" else "1"})
    fake.posargs = posargs
    getattr(noxfile, session.replace("-", "_"))(fake)
    [(pip, _), (pytest_run, variables)] = fake.runs
    assert ("python", "-m", "pip", "--quiet", "install", "-r", str(LOCKS[session])) == pip
    assert ("python", "-m", "pytest", "-o", f"testpaths={' '.join(noxfile.DEPLOY_SPECS)}", *posargs) == pytest_run
    assert session_environment(session) == {name: variables[name] for name in session_environment(session)}


def test_the_deploy_specs_pattern_finds_specs_48_to_53(noxfile):
    """The deploy sessions' testpaths name the deploy spec files 48-53 and the record's tests, all present."""
    found = sorted(path.name for pattern in noxfile.DEPLOY_SPECS for path in ROOT.glob(pattern))
    assert ["test_48_deployed_litert.py", "test_49_deployed_onnx.py", "test_50_deployed_openvino.py",
            "test_51_deployed_bad_input.py", "test_52_deployed_onnx_keras2.py", "test_53_deployed_backends.py",
            "test_deployment_observed.py"] == found


@pytest.mark.parametrize("name, session", [("deploy-keras2", "deploy-keras2"), ("deploy-tf-keras", "deploy-tf-keras"),
                                           ("2.15.1", "keras2"), ("2.21.0", "locked")])
def test_matrix_resolves_the_keras2_deploy_sessions_and_keeps_the_versions_theirs(name, session):
    """`matrix deploy-keras2` runs its own session; a version their locks pin too still runs keras2 or locked."""
    assert session == resolve(name).session


def test_report_runs_a_tf_keras_side_in_its_session(monkeypatch, tmp_path):
    """`report locked tf-keras` is accepted (two environments), and its tf-keras side runs the tf-keras session."""
    arguments = argparse.Namespace(before="locked", after="tf-keras", keep=None)
    assert upgrade_report.sides_can_run(argparse.ArgumentParser(), arguments)
    calls = []
    monkeypatch.setattr(side_run.subprocess, "run", lambda command, **options: calls.append(command))
    source = tmp_path / "source"
    (source / "specs").mkdir(parents=True)
    side = side_run.run_side(resolve("tf-keras"), tmp_path / "side", source=source, log=io.StringIO())
    [command] = calls
    assert "tf-keras" == command[command.index("--sessions") + 1] == side.session


def test_a_tf_keras_sides_label_names_tf_keras_and_the_keras_beside_it():
    """The report names tf-keras as the side's Keras, and the Keras 3 its environment also holds as beside it."""
    packages = {"tensorflow": "2.21.0", "keras": "3.15.1", "tf-keras": "2.21.0"}
    def result(name):
        return SideResult(name, resolve(name).session, packages=packages, side=resolve(name))

    assert "tf-keras (TensorFlow 2.21.0, tf-keras 2.21.0, Keras 3.15.1 installed beside it)" == result("tf-keras").label
    assert "locked (TensorFlow 2.21.0, Keras 3.15.1)" == result("locked").label


def test_speed_times_tf_keras_in_the_matrix_environment_under_legacy_keras(monkeypatch, tmp_path):
    """`speed locked tf-keras` prepares .nox/tf-keras through its session and times it with TF_USE_LEGACY_KERAS=1."""
    pytest.importorskip("scipy", reason="scipy is not in the Keras 2 lock: `speed` runs from .venv (python3 suite.py speed)")
    from lstm_spec.bench import speed_runs

    commands = []
    monkeypatch.setattr(speed_runs.subprocess, "run",
                        lambda command, **options: commands.append(command) or subprocess.CompletedProcess(command, 1))
    with pytest.raises(speed_runs.SpeedRunError, match="tf-keras: the environment could not be prepared"):
        speed_runs.prepare(resolve("tf-keras"), tmp_path / "prepare.log")
    [command] = commands
    assert ("tf-keras", str(ROOT / ".nox")) == (command[command.index("--sessions") + 1],
                                                 command[command.index("--envdir") + 1])
    assert TF_KERAS == resolve("tf-keras").session_environment


def test_legacy_keras_without_tf_keras_says_how_to_get_it():
    """TF_USE_LEGACY_KERAS=1 where tf-keras is not installed fails naming the variable and the command that has it."""
    hide_tf_keras = "import sys; sys.modules['tf_keras'] = None; import lstm_spec.models.keras_under_test"
    finished = subprocess.run([sys.executable, "-c", hide_tf_keras], cwd=ROOT, capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "TF_USE_LEGACY_KERAS": "1"})
    assert 1 == finished.returncode
    assert ("ModuleNotFoundError: TF_USE_LEGACY_KERAS=1 asks for tf-keras (Keras 2 on TensorFlow >= 2.16), which is "
            "not installed here: run `python3 suite.py matrix tf-keras`, or unset TF_USE_LEGACY_KERAS to test Keras 3"
            ) == finished.stderr.strip().splitlines()[-1]
