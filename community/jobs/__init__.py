"""Work due at a time: jobs scheduled in a write's transaction, run by a runner in every process."""
