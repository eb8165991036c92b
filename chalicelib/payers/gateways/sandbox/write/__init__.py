"""The payer side's writers, named as in `chalicelib.x12.write`: the 835, 277, 277CA and 999
the sandbox payers answer with. Production code never writes these."""
