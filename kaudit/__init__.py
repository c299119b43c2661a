"""kaudit: audit the state of Kubernetes clusters."""

__version__ = "0.1.0"
