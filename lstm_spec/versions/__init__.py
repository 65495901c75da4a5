"""The version tools: name an environment (``pins``), run it (``matrix``, nox), compare two
(``upgrade_report``).
"""
