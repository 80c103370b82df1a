"""Selection: which scenarios a run executes (deterministic shards across machines)."""

from conformance.selection.shard import Shard

__all__ = ["Shard"]
