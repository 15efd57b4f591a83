"""The illustrative national package: deterministic, plausible, clearly labelled."""
