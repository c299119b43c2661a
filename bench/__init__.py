"""Scale benchmarks for kaudit (DESIGN.md §5): ``python -m bench.run --sizes 10000 100000``."""
