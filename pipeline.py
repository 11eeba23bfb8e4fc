"""``python pipeline.py …`` from a checkout: the same as the installed ``cn-econ-extract`` command
(see ``extractors/cli.py``); ``seeds/`` and ``outputs/`` default to the current folder."""
from __future__ import annotations

import sys
import time

STARTED = time.perf_counter()  # before the imports below: the summary's seconds are the whole run

from extractors.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(started=STARTED))
