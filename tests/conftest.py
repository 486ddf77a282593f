import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import os  # noqa: E402

from hypothesis import settings  # noqa: E402

# Hypothesis profiles: "fast" in `make test`, "long" on demand:
#   HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_citation_properties.py
settings.register_profile("fast", max_examples=300, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))
