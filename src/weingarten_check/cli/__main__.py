"""``python -m weingarten_check.cli``: the ``weingarten-check`` command."""

import sys

from .main import main

__all__: list[str] = []

sys.exit(main())
