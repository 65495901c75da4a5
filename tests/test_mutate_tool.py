"""``tools/mutate.py``: its score line against hand-counted outcomes, and a clear refusal of an unknown module."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("mutate", Path(__file__).resolve().parents[1] / "tools" / "mutate.py")
mutate = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(mutate)


def stats(**counts):
    return {"killed": 0, "survived": 0, "total": 0, "no_tests": 0, "skipped": 0, "suspicious": 0, "timeout": 0,
            "check_was_interrupted_by_user": 0, "segfault": 0, **counts}


def test_summary_counts_timeouts_as_killed():
    """40 killed and 2 timed out of 45 (3 survivors) is 42/45 = 93.3 %."""
    assert ("builders: 42/45 killed (93.3%), 3 survived, 2 of the killed by timeout, 0 reached by no test"
            == mutate.summary("builders", stats(killed=40, timeout=2, survived=3, total=45)))


def test_summary_of_a_sample_counts_only_the_mutants_run():
    """A run of 150 of 1502 mutants (135 killed, 10 survived, 5 reached by no test) scores 135/150 = 90.0 %."""
    assert ("upgrade_report: 135/150 killed (90.0%) (a sample: 150 of 1502 mutants), 10 survived, "
            "0 of the killed by timeout, 5 reached by no test"
            == mutate.summary("upgrade_report", stats(killed=135, survived=10, no_tests=5, total=1502)))


def test_unknown_module_is_refused_naming_the_known_ones(capsys):
    """A module that is not a target stops the run before anything is copied, listing the targets."""
    assert 2 == mutate.main(["oracel"])
    assert f"no mutation target ['oracel']; name any of {list(mutate.TARGETS)}" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(mutate.TARGETS))
def test_every_target_names_files_that_exist(name):
    """Each target's mutated module and test files exist, so a run never mutates or selects nothing."""
    module_file, test_files = mutate.TARGETS[name]
    root = Path(mutate.ROOT)
    assert [] == [path for path in [module_file, *test_files] if not (root / path).is_file()]


@pytest.mark.parametrize("node", [node for nodes in mutate.DESELECTED.values() for node in nodes])
def test_every_deselected_test_exists(node):
    """A deselected test names a test function of its file, so a rename cannot silently put it back in a run."""
    path, name = node.split("::")
    assert f"def {name}(" in (Path(mutate.ROOT) / path).read_text()


def test_outline_run_preloads_keras_and_others_do_not():
    """Outline's mutmut section loads lstm_spec.models.backend as a plugin (so forked mutants do not import
    TensorFlow again); another module's section has only the common options."""
    outline = mutate.mutmut_section("lstm_spec/living_docs/outline.py", ["tests/test_outline.py"], [],
                                    mutate.PRELOADED["outline"])
    plain = mutate.mutmut_section("lstm_spec/checks/oracle.py", ["tests/test_oracle.py"], [])
    assert 'pytest_add_cli_args = ["-p", "no:randomly", "--shapes-page=off", "-q", "-p", "lstm_spec.models.backend"]' \
        in outline.splitlines()
    assert 'pytest_add_cli_args = ["-p", "no:randomly", "--shapes-page=off", "-q"]' in plain.splitlines()
