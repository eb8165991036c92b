"""Readers, one module per transaction: `<subject><ST01>` (claim837p, remit835, ack999,
status277, eligibility271 ...), each with its `parse_<ST01>`."""
