"""Developer scripts (example secrets); the shell entry points beside them set up .venv."""
