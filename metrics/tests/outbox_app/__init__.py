"""A stand-in `notifications` app (label and an outbox model with a `status`), for the test of
`metrics.outbox` while the real app is built elsewhere."""
