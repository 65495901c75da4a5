"""Cached runs that report themselves: how the shape reference page sees every model a spec runs.

``run_recurrent``, ``run_chain`` and ``pinned_run`` are decorated with ``cached_run``: cached like
``functools.lru_cache``, and each call (a cache hit included) hands its run to the observers
registered with ``observing``; other builders (``architectures.call_model``) call ``report``.  The page's recorder (``lstm_spec.living_docs.shapes_page``) observes each spec
while it runs, so a spec needs nothing extra to appear on the page.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager

_OBSERVERS: list = []


def cached_run(function):
    """``functools.lru_cache(maxsize=None)(function)``, reporting each result to the observers.  The cache
    keys on the arguments as bound to the signature, defaults filled in: ``run(c, d)`` and
    ``run(c, d, masked=False)`` are one run (``lru_cache`` alone would run it twice)."""
    cached = functools.lru_cache(maxsize=None)(function)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def run(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        result = cached(*bound.args, **bound.kwargs)
        report(result)
        return result

    run.cache_info, run.cache_clear = cached.cache_info, cached.cache_clear
    return run


def report(run) -> None:
    """Hands ``run`` to the observers: for runs built without a ``cached_run`` function."""
    for observer in _OBSERVERS:
        observer(run)


@contextmanager
def observing(observer):
    """Calls ``observer(run)`` for every run a ``cached_run`` function returns inside the block."""
    _OBSERVERS.append(observer)
    try:
        yield observer
    finally:
        _OBSERVERS.remove(observer)
