"""Benchmarks: plan time and memory against the bare-SDK floor, scaling, Panorama API calls.

Run everything with ``scripts/bench`` (or ``python -m benchmarks``); see benchmarks/README.md.
"""
