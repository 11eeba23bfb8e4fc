"""``python pipeline.py …`` from a checkout: the same as the installed ``cn-econ-extract`` command
(see ``extractors/cli.py``), with ``seeds/`` and ``outputs/`` beside this file as defaults."""
from __future__ import annotations

import sys
from pathlib import Path

from extractors.cli import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
