"""airq: particulate readings from sensor.community with the UK Daily Air Quality Index."""

__version__ = "0.1.0"
