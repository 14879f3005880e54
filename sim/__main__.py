"""``python -m sim``: see :mod:`sim.cli`."""

from sim.cli import main

main()
