"""Requests at volume, vsscare beside django-helpdesk: generation rate and database size, then
p50/p95 of create, filtered queues, full-text search, customer history and the request page, on
SQLite and PostgreSQL, against their targets.

    .venv/bin/python bench/requests.py --requests 1000000 --messages 5 --samples 200 \\
        --backends sqlite,postgresql [--skip-helpdesk] [--explain]
    .venv/bin/python bench/requests.py --requests 20000 --skip-helpdesk      # to try it

The work is in ``bench/_requests_bench.py`` (and ``bench/helpdesk_side.py`` for django-helpdesk,
which runs without this folder on its path: this file's name is also that of an HTTP library).
"""

from _requests_bench import main

if __name__ == "__main__":
    main()
