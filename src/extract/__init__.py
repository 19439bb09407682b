"""ogi-reports: Chinese government open-information annual reports as data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ogi-reports")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+local"
