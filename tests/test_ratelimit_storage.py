"""``memory://`` rate-limit storage counts as limits' own and starts no thread per hit."""

from __future__ import annotations

import threading
import time

from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from zerenzhi.web.ratelimit import LocalMemoryStorage, storage_uri


def test_memory_is_served_without_a_thread_per_hit(monkeypatch):
    assert storage_uri("redis://cache:6379/0") == "redis://cache:6379/0"
    storage = storage_from_string(storage_uri("memory://"))
    assert isinstance(storage, LocalMemoryStorage) and isinstance(storage, MemoryStorage)
    ours, theirs = FixedWindowRateLimiter(storage), FixedWindowRateLimiter(MemoryStorage())
    limit = parse("3/second")
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    counted = [ours.hit(limit, "k") for _ in range(5)]
    assert not started  # limits' MemoryStorage starts a Timer thread here
    monkeypatch.undo()
    assert counted == [theirs.hit(limit, "k") for _ in range(5)] == [True] * 3 + [False] * 2
    time.sleep(1.05)  # the window has passed: counted afresh, and the purge ran inline
    assert ours.hit(limit, "k")
    assert storage.get(limit.key_for("k")) == 1
