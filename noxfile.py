"""The version matrix: the same ``specs/`` on the locked default, on Keras 2 and on any version.

    nox -s locked                   TF 2.21 / Keras 3, exactly requirements/lock.txt (the default)
    nox -s keras2                   TF 2.15 / Keras 2, exactly requirements/keras2-lock.txt
    nox -s jax                      Keras 3 on the JAX backend, exactly requirements/jax-lock.txt
    nox -s torch                    Keras 3 on the PyTorch backend (CPU), exactly requirements/torch-lock.txt
    nox -s tf-keras                 Keras 2 on the locked TensorFlow (tf-keras, TF_USE_LEGACY_KERAS=1),
                                    exactly requirements/tf-keras-lock.txt
    nox -s deploy                   the locked default plus the deployment runtimes (LiteRT, ONNX, OpenVINO),
                                    exactly requirements/deploy-lock.txt (specs 48-51 run there whole)
    nox -s deploy-keras2            TF 2.15 / Keras 2 plus onnx, onnxruntime and tf2onnx, exactly
                                    requirements/deploy-keras2-lock.txt; without a path, the deploy specs alone
    nox -s deploy-tf-keras          tf-keras on the locked TensorFlow plus the same, exactly
                                    requirements/deploy-tf-keras-lock.txt; without a path, the deploy specs alone
    nox -s deploy-torch             Keras 3's export on the PyTorch backend: the torch lock plus onnx, onnxruntime,
                                    onnxscript and openvino, exactly requirements/deploy-torch-lock.txt (spec 53)
    nox -s deploy-jax               the same on the JAX backend with jax2onnx: requirements/deploy-jax-lock.txt
    nox -s version -- 2.20.0        a TensorFlow release (2.x), with the suite's test tools
    nox -s version -- 3.14.0        a Keras 3 release (3.x) on top of the locked TensorFlow
    nox -s version -- keras-nightly the newest keras-nightly the index serves, on the locked TensorFlow
    nox -s version -- tensorflow==2.18.0,keras==3.8.0   a combination of exact pins, resolved together
    nox -s version -- freeze.txt    a requirements file (your `pip freeze`), with the suite's test tools
    nox -s saved_files -- keras2    write one writer's committed saved files (specs/saved_models/keras2/) afresh
                                    in its own environment (lstm_spec/saving/writers.py); no other run writes them
    nox -s own_models -- keras2     write specs/own_models/keras2/ afresh: the users' shapes (suite.py check, migrate)
    nox -s keras2_lock              re-resolve TF 2.15.1 and rewrite requirements/keras2-lock.txt
    nox -s lock                     re-resolve requirements/lock.txt from its direct pins (after changing one)
    nox -s site                     the documentation site (docs/site/) into build/site/html, warnings as errors
    nox -s site_lock                re-resolve requirements/docs-lock.txt (the site's tools) against lock.txt

Arguments after the version (or after ``--`` for the fixed sessions) go to pytest; without a file, folder or
test id among them, a session runs ``specs`` and ``tests`` (pytest.ini's ``testpaths``), the deploy sessions of
Keras 2 and of the other backends ``DEPLOY_SPECS`` alone.  ``python3 suite.py matrix SESSION`` and
``python3 suite.py report A B`` run these for you (``lstm_spec/versions/matrix.py``,
``lstm_spec/versions/side_run.py``).

With ``LSTM_SPEC_COLLECT=DIR`` in the environment, a session also writes what the upgrade report
compares into DIR: ``packages.txt`` (pip freeze), ``python.txt``, ``layer_defaults.json``,
``dependencies.json``, ``junit.xml``, and ``install-error.txt`` instead of them all when the version cannot
be installed; with ``LSTM_SPEC_WRITE_SAVED`` or ``LSTM_SPEC_READ_SAVED`` too, ``saved-models/`` (the report's
saved-model exchange: side A's files, side B's ``read.json``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox
from nox.command import CommandFailed

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # nox imports this file without its folder on the path

from lstm_spec.saving.writers import UnknownWriter, writer_named  # noqa: E402
from lstm_spec.versions.pins import VersionSpecError, install_plan, lock_pins, normalize, pinned_tools  # noqa: E402
from lstm_spec.versions.sides import session_environment  # noqa: E402

LOCK = ROOT / "requirements" / "lock.txt"
KERAS2_LOCK = ROOT / "requirements" / "keras2-lock.txt"
# The Keras 3 backends beside TensorFlow: each lock is requirements/lock.txt plus the engine
# (TensorFlow stays: the suite's header and TensorFlow-only specs import it).
TF_KERAS_LOCK = ROOT / "requirements" / "tf-keras-lock.txt"
BACKEND_LOCKS = {"jax": ROOT / "requirements" / "jax-lock.txt", "torch": ROOT / "requirements" / "torch-lock.txt"}
DEPLOY_LOCK = ROOT / "requirements" / "deploy-lock.txt"
# Keras 2 (TF 2.15.1, and tf-keras on the locked TensorFlow) with onnx, onnxruntime and tf2onnx: spec 52.
KERAS2_DEPLOY_LOCKS = {"deploy-keras2": ROOT / "requirements" / "deploy-keras2-lock.txt",
                       "deploy-tf-keras": ROOT / "requirements" / "deploy-tf-keras-lock.txt"}
# Keras 3's export on its other backends: the backend's lock plus the runtimes and exporters it needs (spec 53).
DEPLOY_BACKEND_LOCKS = {"torch": ROOT / "requirements" / "deploy-torch-lock.txt",
                        "jax": ROOT / "requirements" / "deploy-jax-lock.txt"}
# What those sessions run without a path: the deploy specs and the record's own tests, not the whole suite, which
# the keras2, tf-keras, torch and jax sessions run already (pytest's testpaths, so `-- -n 2` keeps them); a deploy
# spec stated elsewhere skips there, saying where.
DEPLOY_SPECS = ("specs/test_*_deployed_*.py", "tests/test_deployment_observed.py")
PYTHON = "3.11"
KERAS2_TENSORFLOW = "tensorflow==2.15.1"

nox.options.sessions = ["locked"]
nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True


@nox.session(python=PYTHON, reuse_venv=True)
def locked(session: nox.Session) -> None:
    """The locked default: requirements/lock.txt (TF 2.21 / Keras 3)."""
    _pip(session, [["install", "-r", str(LOCK)]], "requirements/lock.txt")
    _run_suite(session, session.posargs)


@nox.session(python=PYTHON, reuse_venv=True)
def keras2(session: nox.Session) -> None:
    """TF 2.15 / Keras 2: requirements/keras2-lock.txt."""
    _pip(session, [["install", "-r", str(KERAS2_LOCK)]], "requirements/keras2-lock.txt")
    _run_suite(session, session.posargs)


@nox.session(python=PYTHON, reuse_venv=True)
def jax(session: nox.Session) -> None:
    """Keras 3 on the JAX backend (CPU): requirements/jax-lock.txt, KERAS_BACKEND=jax."""
    _run_on_backend(session, "jax")


@nox.session(python=PYTHON, reuse_venv=True)
def torch(session: nox.Session) -> None:
    """Keras 3 on the PyTorch backend (CPU wheel): requirements/torch-lock.txt, KERAS_BACKEND=torch."""
    _run_on_backend(session, "torch")


@nox.session(python=PYTHON, reuse_venv=True, name="tf-keras")
def tf_keras(session: nox.Session) -> None:
    """Keras 2 on the locked TensorFlow, as TensorFlow tells Keras 2 users to stay: tf-keras with
    TF_USE_LEGACY_KERAS=1 (``tf.keras`` is tf-keras; ``import keras`` would still be Keras 3)."""
    _pip(session, [["install", "-r", str(TF_KERAS_LOCK)]], "requirements/tf-keras-lock.txt")
    _run_suite(session, session.posargs)  # with TF_USE_LEGACY_KERAS=1 (session_environment)


@nox.session(python=PYTHON, reuse_venv=True)
def deploy(session: nox.Session) -> None:
    """The locked default plus ai-edge-litert, onnx, onnxruntime, tf2onnx and openvino: requirements/deploy-lock.txt."""
    _pip(session, [["install", "-r", str(DEPLOY_LOCK)]], "requirements/deploy-lock.txt")
    _run_suite(session, session.posargs)


@nox.session(python=PYTHON, reuse_venv=True, name="deploy-keras2")
def deploy_keras2(session: nox.Session) -> None:
    """TF 2.15 / Keras 2 plus onnx, onnxruntime and tf2onnx (tf2onnx.convert.from_keras, spec 52):
    requirements/deploy-keras2-lock.txt; without a path, the deploy specs alone (DEPLOY_SPECS)."""
    _run_keras2_deploy(session)


@nox.session(python=PYTHON, reuse_venv=True, name="deploy-tf-keras")
def deploy_tf_keras(session: nox.Session) -> None:
    """tf-keras on the locked TensorFlow (TF_USE_LEGACY_KERAS=1) plus onnx, onnxruntime and tf2onnx:
    requirements/deploy-tf-keras-lock.txt; without a path, the deploy specs alone (DEPLOY_SPECS)."""
    _run_keras2_deploy(session)  # with TF_USE_LEGACY_KERAS=1 (session_environment)


def _run_keras2_deploy(session: nox.Session) -> None:
    lock = KERAS2_DEPLOY_LOCKS[session.name]
    _pip(session, [["install", "-r", str(lock)]], str(lock.relative_to(ROOT)))
    _run_suite(session, session.posargs, testpaths=DEPLOY_SPECS)
@nox.session(python=PYTHON, reuse_venv=True, name="deploy-torch")
def deploy_torch(session: nox.Session) -> None:
    """Keras 3's export on the PyTorch backend (spec 53): requirements/deploy-torch-lock.txt, KERAS_BACKEND=torch;
    without pytest arguments the deploy specs alone (DEPLOY_SPECS)."""
    _deploy_on_backend(session, "torch")


@nox.session(python=PYTHON, reuse_venv=True, name="deploy-jax")
def deploy_jax(session: nox.Session) -> None:
    """Keras 3's export on the JAX backend (spec 53): requirements/deploy-jax-lock.txt, KERAS_BACKEND=jax;
    without pytest arguments the deploy specs alone (DEPLOY_SPECS)."""
    _deploy_on_backend(session, "jax")


def _deploy_on_backend(session: nox.Session, backend: str) -> None:
    lock = DEPLOY_BACKEND_LOCKS[backend]
    _pip(session, [["install", "-r", str(lock)]], str(lock.relative_to(ROOT)))
    _run_suite(session, session.posargs, testpaths=DEPLOY_SPECS)  # with KERAS_BACKEND=backend (session_environment)


def _run_on_backend(session: nox.Session, backend: str) -> None:
    lock = BACKEND_LOCKS[backend]
    _pip(session, [["install", "-r", str(lock)]], str(lock.relative_to(ROOT)))
    _run_suite(session, session.posargs)  # with KERAS_BACKEND=backend (session_environment)


@nox.session(python=PYTHON, reuse_venv=False)
def version(session: nox.Session) -> None:
    """A version named on the command line: ``nox -s version -- 2.20.0 [pytest arguments]``."""
    if not session.posargs:
        session.error("name a version: nox -s version -- 2.20.0 (TensorFlow), 3.14.0 (Keras 3) or keras-nightly")
    wanted, *pytest_arguments = session.posargs
    try:
        plan = install_plan(wanted, LOCK.read_text(), str(LOCK))
    except VersionSpecError as error:
        session.error(str(error))
    _pip(session, plan, wanted)
    _run_suite(session, pytest_arguments, version=wanted)


@nox.session(python=PYTHON, name="keras2_lock")
def keras2_lock(session: nox.Session) -> None:
    """Resolves TF 2.15.1 with the suite's test tools afresh and writes requirements/keras2-lock.txt."""
    session.install(KERAS2_TENSORFLOW, *pinned_tools(LOCK.read_text()))
    frozen = session.run("python", "-m", "pip", "freeze", "--all", "--exclude", "pip", "--exclude",
                         "setuptools", "--exclude", "wheel", silent=True)
    header = f"# {KERAS2_TENSORFLOW} (Keras 2) and the suite's test tools; written by `nox -s keras2_lock`.\n"
    KERAS2_LOCK.write_text(header + frozen)
    session.log(f"wrote {KERAS2_LOCK.relative_to(ROOT)}")


# What the suite imports or runs itself; every other pin of requirements/lock.txt is what these need.
LOCKED_DIRECTLY = ("tensorflow", "keras", "numpy", "scipy", "nox")


@nox.session(python=PYTHON, name="lock")
def lock(session: nox.Session) -> None:
    """Re-resolves requirements/lock.txt from its direct pins: `nox -s lock` after changing one of them.

    The direct pins are LOCKED_DIRECTLY and the test tools, at the versions the lock names; every other
    pin is written afresh.  Re-pin the backend locks after it (tests/test_backend_locks says which)."""
    pins = lock_pins(LOCK.read_text())
    missing = [name for name in LOCKED_DIRECTLY if name not in pins]
    if missing:
        session.error(f"requirements/lock.txt pins no version of {', '.join(missing)}; add them to it")
    session.install(*(pins[name] for name in LOCKED_DIRECTLY), *pinned_tools(LOCK.read_text()))
    frozen = session.run("python", "-m", "pip", "freeze", "--all", "--exclude", "pip", "--exclude",
                         "setuptools", "--exclude", "wheel", silent=True)
    LOCK.write_text(frozen)
    session.log(f"wrote {LOCK.relative_to(ROOT)}; python3 suite.py test installs it into .venv")


DOCS_LOCK = ROOT / "requirements" / "docs-lock.txt"
SITE_SOURCE = ROOT / "docs" / "site"
SITE_BUILD = ROOT / "build" / "site"


@nox.session(python=PYTHON, reuse_venv=True)
def site(session: nox.Session) -> None:
    """The documentation site: Sphinx, MyST and Sphinx-Gallery (requirements/docs-lock.txt) beside the locked
    versions (requirements/lock.txt, which the page's example runs on), built into build/site/html.

    Warnings are errors (a broken internal link, a page in no toctree); arguments go to sphinx-build."""
    _pip(session, [["install", "-r", str(LOCK), "-r", str(DOCS_LOCK)]],
         "requirements/lock.txt with requirements/docs-lock.txt")
    session.env["KERAS_BACKEND"] = "tensorflow"  # the page ran on TensorFlow; an exported backend must not change it
    session.run("python", "-m", "sphinx", "-W", "--keep-going", "--nitpicky", "--builder", "html",
                "--doctree-dir", str(SITE_BUILD / "doctrees"), *session.posargs, str(SITE_SOURCE),
                str(SITE_BUILD / "html"))
    session.log(f"the site: {(SITE_BUILD / 'html' / 'index.html').relative_to(ROOT)}")


# The site's tools; every other pin of requirements/docs-lock.txt is what they need beyond lock.txt.
SITE_TOOLS = ("sphinx", "myst-parser", "sphinx-gallery", "furo")


@nox.session(python=PYTHON, name="site_lock")
def site_lock(session: nox.Session) -> None:
    """Re-resolves requirements/docs-lock.txt: SITE_TOOLS at its pins, constrained by requirements/lock.txt
    (so the two install together), lock.txt's own pins left out.  No TensorFlow: only the tools."""
    pins = lock_pins(DOCS_LOCK.read_text())
    missing = [name for name in SITE_TOOLS if name not in pins]
    if missing:
        session.error(f"requirements/docs-lock.txt pins no version of {', '.join(missing)}; add them to it")
    session.install("--constraint", str(LOCK), *(pins[name] for name in SITE_TOOLS))
    frozen = session.run("python", "-m", "pip", "freeze", "--all", "--exclude", "pip", "--exclude",
                         "setuptools", "--exclude", "wheel", silent=True)
    locked = lock_pins(LOCK.read_text())
    own = [line for line in frozen.splitlines() if "==" in line and normalize(line.split("==")[0]) not in locked]
    header = [line for line in DOCS_LOCK.read_text().splitlines() if line.startswith("#")]
    DOCS_LOCK.write_text("\n".join([*header, *own]) + "\n")
    session.log(f"wrote {DOCS_LOCK.relative_to(ROOT)} ({len(own)} pins)")


@nox.session(python=PYTHON, reuse_venv=False, name="saved_files")
def saved_files(session: nox.Session) -> None:
    """Writes one writer's saved files and manifest afresh, in that writer's environment installed anew:
    ``nox -s saved_files -- keras2`` (the writers: lstm_spec/saving/writers.py).  Commit what it writes."""
    if len(session.posargs) != 1:
        session.error("name one writer: nox -s saved_files -- keras2 (the writers: lstm_spec/saving/writers.py)")
    try:
        writer = writer_named(session.posargs[0])
    except UnknownWriter as error:
        session.error(str(error))
    _pip(session, writer.install_plan(), f"writer {writer.name}'s environment")
    session.env.update(writer.env)
    session.run("python", "-m", "lstm_spec.saving.write_files", writer.name)


@nox.session(python=PYTHON, reuse_venv=False, name="own_models")
def own_models(session: nox.Session) -> None:
    """Writes specs/own_models/WRITER/ afresh (lstm_spec/own_model/users_models.py: the shapes users bring to
    ``suite.py check`` and ``migrate``), in that writer's environment installed anew: ``nox -s own_models -- keras2``."""
    from lstm_spec.own_model.users_models import OWN_MODEL_WRITERS

    if len(session.posargs) != 1 or session.posargs[0] not in OWN_MODEL_WRITERS:
        session.error(f"name one writer: nox -s own_models -- {' | '.join(OWN_MODEL_WRITERS)}")
    writer = OWN_MODEL_WRITERS[session.posargs[0]]
    _pip(session, writer.install_plan(), f"writer {writer.name}'s environment")
    session.env.update(writer.env)
    session.run("python", "-m", "lstm_spec.own_model.users_models", writer.name)


MUTMUT = "mutmut==3.8.1"


@nox.session(python=PYTHON, reuse_venv=True)
def mutate(session: nox.Session) -> None:
    """Mutation testing, one lstm_spec module at a time (tools/mutate.py): ``nox -s mutate -- [module ...]``."""
    _pip(session, [["install", "-r", str(LOCK), MUTMUT]], f"requirements/lock.txt with {MUTMUT}")
    session.run("python", "tools/mutate.py", *session.posargs)


def _collect_dir() -> Path | None:
    value = os.environ.get("LSTM_SPEC_COLLECT")
    return Path(value) if value else None


def _pip(session: nox.Session, plan: list[list[str]], what: str) -> None:
    """Runs each pip command of ``plan``; a failure ends the session with a plain message.  An install step
    (``session.run_install``): ``nox -s SESSION --install-only`` makes the environment and runs nothing else
    (``suite.py check`` makes its sides so)."""
    for arguments in plan:
        try:
            session.run_install("python", "-m", "pip", "--quiet", *arguments)
        except CommandFailed:
            message = (f"{what} cannot be installed from the package index "
                       f"(`pip {' '.join(arguments)}` failed; pip's reason is above).")
            collect = _collect_dir()
            if collect:
                collect.mkdir(parents=True, exist_ok=True)
                (collect / "install-error.txt").write_text(message + "\n")
            session.error(message)


def _run_suite(session: nox.Session, pytest_arguments, version: str | None = None,
               testpaths: tuple[str, ...] | None = None) -> None:
    """pytest with ``pytest_arguments``, ``specs`` and ``tests`` when there are none; ``testpaths`` in place of
    pytest.ini's where given: what pytest runs when the arguments name no file, folder or test id."""
    # The session's backend (TensorFlow but in jax and torch) and Keras (tf-keras in tf-keras and in a version
    # that installs it), one table for nox and `speed` (lstm_spec.versions.sides): an exported KERAS_BACKEND or
    # TF_USE_LEGACY_KERAS changes no session.
    session.env.update(session_environment(session.name, version))
    if testpaths is None:
        arguments = list(pytest_arguments) or ["specs", "tests"]
    else:
        arguments = ["-o", f"testpaths={' '.join(testpaths)}", *pytest_arguments]
    collect = _collect_dir()
    if collect:
        collect.mkdir(parents=True, exist_ok=True)
        frozen = session.run("python", "-m", "pip", "freeze", "--all", silent=True)
        (collect / "packages.txt").write_text(frozen)
        python = session.run("python", "-c", "import platform; print(platform.python_version())", silent=True)
        (collect / "python.txt").write_text(python)
        session.run("python", "-m", "lstm_spec.checks.layer_defaults", str(collect / "layer_defaults.json"))
        session.run("python", "-m", "lstm_spec.versions.dependencies", str(collect / "dependencies.json"))
        arguments.append(f"--junitxml={collect / 'junit.xml'}")
        _exchange_saved_models(session, collect / "saved-models")
    session.run("python", "-m", "pytest", *arguments)


def _exchange_saved_models(session: nox.Session, folder: Path) -> None:
    """An upgrade report's saved models (lstm_spec/versions/report_sections/saved_models.py): side A writes
    its files with LSTM_SPEC_WRITE_SAVED set, side B reads the folder LSTM_SPEC_READ_SAVED names.  A step that
    fails is recorded for the report, not fatal: the specs still run."""
    steps = []
    if os.environ.get("LSTM_SPEC_WRITE_SAVED"):
        steps.append(("write", ["-m", "lstm_spec.saving.write_files", "--report-side",
                                "--into", str(folder / "written")]))
    if os.environ.get("LSTM_SPEC_READ_SAVED"):
        steps.append(("read", ["-m", "lstm_spec.saving.read_files", os.environ["LSTM_SPEC_READ_SAVED"],
                               "--out", str(folder / "read.json")]))
    for step, command in steps:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            session.run("python", *command)
        except CommandFailed:
            (folder / f"{step}-failed.txt").write_text(
                f"`python {' '.join(command)}` failed; its output is in this side's nox log (report --keep DIR)\n")
