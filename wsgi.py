"""The WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from app import create_app

app = create_app()
# What start-up built (the app, SQLAlchemy's mappers, numpy, pandas, WeasyPrint: ~300k objects) lives as long
# as the process; frozen, the garbage collector stops walking it on every full collection, which cost the
# ranking page about a third of its time at 100 vendors (bench/README.md).
gc.freeze()
