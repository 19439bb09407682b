"""The process of the temporary Prefect server (`runtime.TemporaryServer` launches it):

    python -P src/extract/flows/server.py PORT

Prefect's API app (`prefect.server.api.server:create_app`, as its ephemeral mode serves it) under
uvicorn on 127.0.0.1:PORT. Exits 3, as uvicorn does, when it cannot start (the port was taken).

The server's start is what an `ogi run` with nothing to do waits for, and most of it is the
import: Prefect's API models, thousands of pydantic classes. They live as long as the server, so
the cyclic collector, which runs every few hundred new objects, finds nothing to free while they
are built; it stays off for the import (a fifth of the server's start) and the objects built by
then are frozen out of every later collection.
"""

from __future__ import annotations

import gc
import sys


def serve(port: int) -> None:
    gc.disable()
    import uvicorn
    from prefect.server.api.server import create_app

    app = create_app()  # ephemeral and final: from the environment the launcher sets
    gc.enable()
    gc.freeze()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
