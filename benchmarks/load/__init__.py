"""Load benchmark: simulated phone users against Haven and against a bare ``rasa init`` bot.

Run with ``make bench-load OUT=benchmarks/results/load.json`` (see ``run.py --help``).
"""
