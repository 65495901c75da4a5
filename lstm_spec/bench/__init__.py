"""Timing: the ``predict()`` benchmark grid, its summaries and plots.
"""
