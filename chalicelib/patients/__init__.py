"""The patient's side of billing, pure: what the patient owes once every payer has finished
(ledger), statements, payment plans and dunning. No I/O: the use cases in
chalicelib.services.patients load, call these and write."""
