"""Peer tooling: install, start and check other Stripe fakes against their target profiles."""
