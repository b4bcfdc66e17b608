"""Entry script of the packaged binary: the GUI by default, `classify` and `--self-test` as subcommands."""
import sys

from desktop.app.main import main

if __name__ == "__main__":
    sys.exit(main())
