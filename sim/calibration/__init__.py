"""Calibration against sourced targets: targets as data (``conf/targets/``), the
estimators that measure them on model outputs, the calibration design, the ABC-SMC
fit (pyabc) and the posterior-predictive check. Entry point: ``python -m sim.calibrate``.
"""
