"""dlstudio's benchmarks: `make bench` (or `python -m bench`) runs them all, prints a table and
writes bench/results.json. Each module measures one thing side by side with its baseline, in one
run, alternating the two so that drift in machine load hits both alike."""
