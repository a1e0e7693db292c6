"""What the CLI prints and does for one task family: forecast.py, anomaly.py."""
