"""The one search runner every task family uses: oracles, the budget plan, trial plans and
outcomes, and the executors that fit trials (see runner.py)."""
