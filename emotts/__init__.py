"""emotts: emotional text-to-speech with label, blend, intensity, ADV and per-span control."""

__version__ = "0.1.0"
