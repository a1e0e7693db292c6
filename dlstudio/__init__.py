"""dlstudio: a desktop AutoML studio for Keras."""

__version__ = "0.1.0"
