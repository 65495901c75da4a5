"""The pytest plugins that make a run documentation: ``--outline`` and ``docs/shapes.md``.
"""
