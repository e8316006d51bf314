"""Bulk checks beyond one process: units of work (``work``: chunks of JSON Lines,
recording files) and running them on worker processes with results in input
order (``parallel``). :mod:`contract.checking` and :mod:`contract.dask` use them."""
