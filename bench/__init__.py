"""Benchmarks: the cost per request of flask-crossorigin, measured against flask-cors and
bare Flask. Run them with ``make bench`` (or ``python bench/run.py --help``)."""
