"""Saved models: the catalog of models the saving specs write (``catalog``) and the formats they write
them in, each with its save and load functions per Keras era (``formats``).  A loader needs only the
file and the case, never the writer's model, so files written by one version can be read by another.
"""
