"""The package version, read by the build backend and by the package itself."""

__version__ = "0.4.0"
