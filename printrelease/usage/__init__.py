"""What was printed, by whom, where: the rows finance reports are made of."""
