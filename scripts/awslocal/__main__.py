"""`python scripts/awslocal ...` (or `python -m awslocal` with scripts/ on the path): see cli.py."""

import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from awslocal.cli import main  # noqa: E402

sys.exit(main())
