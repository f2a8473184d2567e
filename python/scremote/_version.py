"""The version of the scremote package (that of libscremote it matches)."""
__version__ = "0.1.0"
