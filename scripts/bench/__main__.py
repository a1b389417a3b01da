"""`python -m scripts.bench` (run from the repository root): the benchmark, see runner."""

from __future__ import annotations

import sys

from scripts.bench.runner import main

sys.exit(main())
