"""Benchmark scripts that print tables: speed.py, load.py, accuracy.py, and report.py for the README.

A package so that tests can reuse them (`from benchmarks.load import run_load`).
"""
