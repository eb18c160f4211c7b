"""``python -m weingarten_check``: the ``weingarten-check`` command."""

import sys

from .cli.main import main

sys.exit(main())
