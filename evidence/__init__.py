"""Evidence: a static-site generator for explainers whose every paragraph cites its source."""
