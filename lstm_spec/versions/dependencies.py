"""Which installed distributions are there only for the suite's own tools (pytest, nox, ...).

    python -m lstm_spec.versions.dependencies OUT.json

writes ``{distribution: [the distributions it requires]}`` of the running environment (each
environment of the version matrix writes it, ``LSTM_SPEC_COLLECT``); ``tool_packages`` reads it,
so the upgrade report lists the suite's tools apart from the packages an upgrade is about.
A distribution both a tool and TensorFlow or Keras need (numpy, packaging) is not a tool.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata

from lstm_spec.versions.pins import TEST_TOOLS, normalize

# What the suite itself runs: the test tools, nox (which makes the environments), scipy (the speed
# comparison's statistics, locked in requirements/lock.txt) and the installer.
SUITE_TOOLS = (*TEST_TOOLS, "nox", "scipy", "pip")


def installed_requires() -> dict[str, list[str]]:
    """Every installed distribution's unconditional requirements (markers evaluated here, no extras)."""
    from packaging.requirements import Requirement

    requires = {}
    for distribution in metadata.distributions():
        needed = []
        for text in distribution.requires or []:
            wanted = Requirement(text)
            if wanted.marker is None or wanted.marker.evaluate({"extra": ""}):
                needed.append(normalize(wanted.name))
        requires[normalize(distribution.metadata["Name"])] = sorted(set(needed))
    return requires


def tool_packages(requires: dict[str, list[str]], tools=SUITE_TOOLS) -> set[str]:
    """The distributions that only ``tools`` need: reachable from a tool, from nothing else installed."""
    for_tools = _closure(requires, {normalize(tool) for tool in tools})
    for_the_rest = _closure(requires, set(requires) - for_tools)
    return for_tools - for_the_rest


def _closure(requires: dict[str, list[str]], roots: set[str]) -> set[str]:
    reached, todo = set(), [root for root in roots if root in requires]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += [needed for needed in requires.get(name, ()) if needed in requires]
    return reached


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m lstm_spec.versions.dependencies OUT.json", file=sys.stderr)
        return 2
    with open(argv[0], "w") as out:
        json.dump(installed_requires(), out, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
