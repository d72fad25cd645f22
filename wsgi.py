"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from zerenzhi.app import create_app

app = create_app()
# Everything built so far (mappers, schemas, the OpenAPI spec) lives as long as the process:
# keep it out of the garbage collector's full passes, which requests' short-lived objects
# would otherwise trigger over the whole app (bench/README.md, throughput).
gc.collect()
gc.freeze()
