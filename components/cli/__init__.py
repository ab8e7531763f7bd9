"""The `airs` command: offline validate, plan, render and diff."""
