import sys

from nodeeditor.cli import main

sys.exit(main())
