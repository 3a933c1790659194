"""``python -m theorems``: verify every theorem (same as ``symmp theorems``)."""

import sys

from symmp.cli import main

sys.exit(main(["theorems", *sys.argv[1:]]))
