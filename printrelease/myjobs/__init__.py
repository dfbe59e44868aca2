"""What one person sees of their own jobs: held ones with their estimated cost, and their history."""
