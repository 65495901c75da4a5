"""The upgrade report's sections, in the order the page gives them.

A section is a function in a module of its own: ``section(before, after) -> list[str]``, taking the two
sides' results (``lstm_spec.versions.side_results.SideResult``: its ``name``, its resolved ``side``, its
``collected`` folder, and what was read from them) and returning Markdown lines.  A section that needs
the comparison asks ``lstm_spec.versions.comparison.compared(before, after)``, computed once per report.
Adding a section is one new module and one entry in ``SECTIONS``.  They are written only when both
sides ran; the heading and summary (``lstm_spec.versions.upgrade_report``) come first in any case.
"""

from lstm_spec.versions.report_sections import defaults, deployment, outcomes, packages, saved_models, values

SECTIONS = [outcomes.section, values.section, saved_models.section, deployment.section, defaults.section,
            packages.section]
