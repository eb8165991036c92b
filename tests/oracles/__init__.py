"""Scripts run by the independent X12 readers' own interpreter (.venv/oracles), never imported
by the tests' interpreter."""
