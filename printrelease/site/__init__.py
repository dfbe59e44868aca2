"""Site settings that administrators change at run time (hold time, document size limit)."""
