"""Bearer tokens for machines (the CUPS backend, card stations); only their hashes are stored."""
