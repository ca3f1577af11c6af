#!/usr/bin/env python3
"""Build the explainer site: `python build.py [build|check] ...`; see `python build.py --help`."""
import sys

from evidence.cli import main

if __name__ == "__main__":
    sys.exit(main())
