"""printrelease: hold print jobs from one virtual CUPS queue and release them at any printer."""

__version__ = "0.1.0"
