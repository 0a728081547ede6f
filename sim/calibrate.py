"""``python -m sim.calibrate [check|fit] [key=value ...]``: the model against sourced targets.

``check`` (the default) runs the calibration design at the shipped parameters and prints
each target (conf/targets/, default ``england``) against the model's mean and 90 %
interval across replications; exit 1 if any target is missed. ``fit`` fits the free
parameters (conf/calibration/calibration.yaml) to all targets jointly by ABC-SMC
(pyabc) and writes the posterior sample and a diagnostics report. Overrides are keys of
conf/calibration/calibration.yaml, e.g. ``fit quick=true``, ``fit resume=true``,
``check targets=england check.replications=4``. ``trust=NAME`` (or a path to a profile)
fits and checks one trust's own figures instead (sim/calibration/trust.py; docs/guide.md). Bad usage: one line, exit 2
(``SIM_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import os
import sys

from sim.config import ConfigError

COMMANDS = ("check", "fit")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command = args.pop(0) if args and "=" not in args[0] else "check"
    try:
        if command not in COMMANDS:
            raise ConfigError(f"unknown command '{command}'; allowed: {', '.join(COMMANDS)} (default: check)")
        from sim.calibration.settings import load_settings  # noqa: PLC0415 - keeps --help fast

        trust = [a.split("=", 1)[1] for a in args if a.split("=", 1)[0] in ("trust", "trust_file")]
        args = [a for a in args if a.split("=", 1)[0] not in ("trust", "trust_file")]
        settings = load_settings(args)
        if trust:
            from sim.calibration.trust import apply_trust  # noqa: PLC0415

            settings = apply_trust(settings, trust[-1], args)
        if command == "check":
            from sim.calibration.check import run_check  # noqa: PLC0415

            return run_check(settings)
        from sim.calibration.fit import run_fit  # noqa: PLC0415

        return run_fit(settings)
    except ConfigError as exc:
        if os.environ.get("SIM_DEBUG") == "1":
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if os.environ.get("SIM_DEBUG") == "1":
            raise
        hint = " (finished generations are kept: continue with `fit resume=true`)" if command == "fit" else ""
        print(f"interrupted{hint}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
