import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def noxfile():
    """The checkout's noxfile.py as a module, loaded once (nox registers each session as the file runs)."""
    import importlib.util
    from pathlib import Path

    pytest.importorskip("nox", reason="the noxfile imports nox, which this environment's lock lacks")
    path = Path(__file__).resolve().parents[1] / "noxfile.py"
    spec = importlib.util.spec_from_file_location("noxfile_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
