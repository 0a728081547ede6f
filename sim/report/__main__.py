"""``python -m sim.report DIR``: rebuild DIR/report.html."""

import sys

from sim.report.build import main

sys.exit(main())
