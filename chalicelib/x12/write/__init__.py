"""Writers, one module per transaction: `<subject><ST01>` (claim837p, status276,
eligibility270 ...), each with its `render_<ST01>`; `inquiry` holds what the 276 and 270 share."""
