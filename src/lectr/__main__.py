"""`python -m lectr` runs the CLI."""

from lectr.cli import main

raise SystemExit(main())
