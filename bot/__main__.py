"""`python -m bot`: the same entry point as the `tilebot` script."""

from bot.cli import main

raise SystemExit(main())
