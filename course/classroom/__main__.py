"""``python -m classroom VERB ...``: see classroom.cli."""

import sys

from classroom.cli import main

sys.exit(main())
