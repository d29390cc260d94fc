"""The single place the package version is kept (read by hatchling and by the package)."""

__version__ = "0.1.0.dev0"
