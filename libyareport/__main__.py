import sys

from libyareport.cli import main

sys.exit(main())
