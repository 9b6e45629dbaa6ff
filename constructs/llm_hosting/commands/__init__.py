"""Subcommands of `python -m llm_hosting` beyond the catalog basics; each module offers `register(subparsers)`."""
