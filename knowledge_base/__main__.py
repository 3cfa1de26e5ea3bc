"""``python -m knowledge_base``: see :mod:`knowledge_base.cli`."""

import sys

from knowledge_base.cli import main

sys.exit(main())
