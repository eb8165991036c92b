"""Use cases: join the pure domain (claims, payers, x12) with the store and the gateways.
Handlers and schedules call these and only translate; these never see a request or an event."""
