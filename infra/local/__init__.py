"""The embedded local AWS runtime: runs template.yaml on one machine (see README.md here)."""

from .runtime import LocalRuntime

__all__ = ["LocalRuntime"]
