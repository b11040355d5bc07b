"""Sample batches in the app: the buyer requires them, the vendor uploads them, a job measures them.

The measuring itself is the pure ``app.measurements`` package; this package stores archives, runs the
analysis as a background job, turns the vendor's answers into claims and shows the comparisons.
"""
