"""`make bench` and the other measurements; a Django app only under bench.settings."""
