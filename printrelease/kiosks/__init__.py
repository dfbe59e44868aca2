"""Kiosks: a touchscreen beside a printer, paired once with a station, showing whoever just tapped there."""
