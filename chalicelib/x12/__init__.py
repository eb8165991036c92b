"""Pure X12 5010 codec: standard library only, no I/O outside the command-line entry point."""
