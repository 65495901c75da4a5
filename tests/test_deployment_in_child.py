"""lstm_spec.deploy.in_child: a conversion in a process of its own, its abort or its exception given back."""

import subprocess

import pytest

from lstm_spec.deploy import in_child


def _child_ends(monkeypatch, returncode: int, stderr: str = "", writes: dict | None = None):
    """subprocess.run replaced by a child that ends with ``returncode`` after writing ``writes`` into its folder."""
    def run(command, **_):
        for name, text in (writes or {}).items():
            (in_child.Path(command[-1]) / name).write_text(text)
        return subprocess.CompletedProcess(command, returncode, "", stderr)

    monkeypatch.setattr(in_child.subprocess, "run", run)


def test_a_child_killed_by_a_signal_is_process_aborted_with_its_error_line(monkeypatch, tmp_path):
    """A child that aborts gives ProcessAborted naming the signal and its last error line, not a faulthandler's dump."""
    _child_ends(monkeypatch, -6, "loc(...): error: missing attribute 'value'\nLLVM ERROR: Failed to infer result "
                                 "type(s).\nFatal Python error: Aborted\n\nCurrent thread 0x1 (most recent call first):")
    with pytest.raises(in_child.ProcessAborted, match=r"^SIGABRT: LLVM ERROR: Failed to infer result type\(s\)\.$"):
        in_child.converted_in_child("from_keras_model", "page_lstm", tmp_path)


def test_a_childs_exception_is_raised_again_under_its_class_name(monkeypatch, tmp_path):
    """The exception the conversion raised in the child comes back with its class name and message."""
    _child_ends(monkeypatch, 1, writes={in_child.FAILED: '{"type": "ConverterError", "message": "static shape"}'})
    with pytest.raises(Exception, match="^static shape$") as raised:
        in_child.converted_in_child("from_keras_model", "page_lstm", tmp_path)
    assert "ConverterError" == type(raised.value).__name__


def test_a_childs_bytes_come_back(monkeypatch, tmp_path):
    """A child that converted gives back the bytes it wrote."""
    _child_ends(monkeypatch, 0, writes={in_child.CONVERTED: "TFL3"})
    assert b"TFL3" == in_child.converted_in_child("from_keras_model", "page_lstm", tmp_path)


def test_a_child_that_crashes_otherwise_says_so(monkeypatch, tmp_path):
    """A child that exits non-zero without an exception of the conversion's says its exit status."""
    _child_ends(monkeypatch, 2, "ModuleNotFoundError: No module named 'lstm_spec'")
    with pytest.raises(RuntimeError, match="exited with 2: ModuleNotFoundError"):
        in_child.converted_in_child("from_keras_model", "page_lstm", tmp_path)
