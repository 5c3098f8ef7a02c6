"""The version of crane, used when the distribution's metadata is not installed."""

__version__ = "0.1.0"
