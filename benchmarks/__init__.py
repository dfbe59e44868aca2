"""`make bench`: capture and release measured against CUPS alone, in the same run; writes BENCHMARKS.md."""
