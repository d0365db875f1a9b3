"""Models of the benefits app: see its issue."""
