"""Object semantics: pure functions from one captured Kubernetes object to its health."""
