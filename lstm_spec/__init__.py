"""Machinery of the LSTM shape specification suite: configurations, builders, assertions, snapshots.

The specs in ``specs/`` state behaviour; this package only builds, runs and compares.
Its own tests are in ``tests/``.
"""
