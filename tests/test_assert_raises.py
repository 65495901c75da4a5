"""assert_raises: passes on the pinned error, fails readably on a missing, other or subclassed one."""

import pytest

from lstm_spec.checks.assertions import assert_raises, error_message


def failure(expected_type, fragment, raised) -> AssertionError:
    with pytest.raises(AssertionError) as caught:
        with assert_raises(expected_type, fragment, "ctx"):
            if raised is not None:
                raise raised
    return caught.value


def test_passes_on_the_pinned_type_and_fragment():
    """The exact type with the fragment anywhere in its message passes, terminal styling ignored."""
    with assert_raises(ValueError, "expected ndim=3", "ctx"):
        raise ValueError("Input 0 \x1b[1mis incompatible: expected ndim=3\x1b[0m, found ndim=2")


def test_nothing_raised_fails_naming_the_expected_error():
    """A block that raises nothing fails with 'nothing was raised, but should raise ...'."""
    assert "nothing was raised, but should raise ValueError saying 'ndim' [ctx]" == str(failure(ValueError, "ndim", None))


def test_other_message_fails_showing_what_was_said():
    """The right type with another message fails quoting the message it had."""
    error = failure(ValueError, "ndim", ValueError("units must be positive"))
    assert "raised ValueError: units must be positive\nbut should raise ValueError saying 'ndim' [ctx]" == str(error)


def test_subclass_is_another_error():
    """A subclass of the pinned type fails: an upgrade that changes the type is reported."""
    assert str(failure(LookupError, "x", IndexError("x"))).startswith("raised IndexError: x\n")


def test_long_messages_are_shortened():
    """A message of thousands of characters (Keras prints the input array) is cut at 400 with ' ...'."""
    error = failure(ValueError, "missing", ValueError("a" * 5000))
    assert "raised ValueError: " + "a" * 400 + " ...\nbut should raise ValueError saying 'missing' [ctx]" == str(error)


def test_error_message_drops_ansi_styling():
    """error_message() is the text without Keras' bold escape codes."""
    assert "bold and plain" == error_message(ValueError("\x1b[1mbold\x1b[0m and plain"))
