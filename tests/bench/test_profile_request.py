from __future__ import annotations

from django.core.cache import cache, caches

from scripts.profile_request import _CacheReads


def test_cache_reads_are_counted_by_kind_of_key(capsys) -> None:
    backend = caches["default"]
    reads = _CacheReads()
    try:
        cache.set("wizard:completed:" + "a" * 32, ["background"], 60)
        cache.get("wizard:completed:" + "a" * 32)
        # get_or_set passes the key's version on to get: the timing wrapper must take it.
        assert cache.get_or_set("wizard:completed:" + "b" * 32, list, 60) == []
        cache.get("plans:whatif-specialties")
        reads.report(2)
    finally:
        del backend.get  # the backend's own method again
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:-1]}
    # Three wizard reads in two requests (a get, and get_or_set's miss: get, add, get again),
    # the digests left out of the kind; one what-if read.
    assert lines == {"wizard:completed:…": "1.50", "plans:whatif-specialties": "0.50"}
    assert "all cache reads: CPU ms per request" in out
