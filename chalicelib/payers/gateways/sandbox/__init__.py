"""The embedded sandbox clearinghouse: three payers (SBX01, SBXMCR, SBXMCD) that answer real
X12 (999, 277CA, 835, 277, 271). Pure core only: `clearinghouse.SandboxClearinghouse` takes and
returns its state; the gateway adapter persists it. Nothing is imported here, so importing the
package costs nothing on a cold start."""
