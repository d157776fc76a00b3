"""gunicorn for the benchmark: gthread workers, one per core (bench/run.py sets how many
workers and threads).

Threads rather than sync workers: a sync worker serves one request at a time and closes
every connection, so each request would pay a new TCP connection and a request waiting on
Postgres (an RSVP's row lock and commit) would idle its whole process. gthread keeps
connections alive and lets a worker's other threads run while one waits on the database;
more processes than cores would only add memory and context switches.

One thread per worker by default (BENCH_THREADS): the requests measured here are mostly
Python work, and threads of one process contend for its interpreter lock. Measured on
the 2-core machine, 1 thread gave the RSVP race about 150 requests/s at p95 150 ms, 4
threads about 110 requests/s at p95 230 ms; the cached browse page was the same either
way. The README lists both runs."""

worker_class = "gthread"
loglevel = "warning"


def post_worker_init(worker: object) -> None:
    """Load the place index before taking requests, so no measured search pays for it."""
    from accounts.places import resolve_place

    resolve_place("Baton Rouge, LA")
