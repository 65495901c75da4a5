"""``python3 suite.py site``: builds the documentation site, ``nox -s site`` (noxfile.py), into build/site/html.

    python3 suite.py site      build it into build/site/html (open build/site/html/index.html); the first run
                               creates .nox/site: requirements/lock.txt and requirements/docs-lock.txt, 2.5 GB
    python3 suite.py site -E   arguments go to sphinx-build (-E: read every source afresh)

Warnings are errors: a broken internal link, a page in no navigation, an example block that fails.
The page run again (docs/site/gallery/) executes on the installed versions at every build.
"""

from __future__ import annotations

import subprocess
import sys

from lstm_spec.versions.sides import ROOT, Side, nox_command

SITE = Side("site", "site")  # not a side of the matrix: the docs session, run the way matrix runs one


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print("usage: python3 suite.py site [sphinx-build arguments]\n" + __doc__.split("\n\n", 1)[1].rstrip())
        return 0
    return subprocess.run(nox_command(SITE, argv), cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
