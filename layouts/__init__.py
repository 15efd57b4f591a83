"""Pure functions that return Dash components; they never read global state."""
