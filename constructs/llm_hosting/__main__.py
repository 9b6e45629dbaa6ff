import sys

from llm_hosting.cli import main

sys.exit(main())
