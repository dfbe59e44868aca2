"""Card stations: a reader beside a printer, where a tap releases the card owner's jobs."""
