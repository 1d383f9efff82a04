"""The request path: routes → auth → detect → forward → relay → record."""
