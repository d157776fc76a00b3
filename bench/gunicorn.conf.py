"""gunicorn for the benchmark: gthread workers, one per core (bench/run.py sets how many
workers and threads).

Threads rather than sync workers: a sync worker serves one request at a time and closes
every connection, so each request would pay a new TCP connection and a request waiting on
Postgres (an RSVP's row lock and commit) would idle its whole process. gthread keeps
connections alive and lets a worker's other threads run while one waits on the database;
more processes than cores would only add memory and context switches.

BENCH_THREADS sets the threads per worker (default 4). On the 2-core machine 1 thread and
4 threads measured within the run-to-run noise of each other (see the README)."""

worker_class = "gthread"
loglevel = "warning"


def post_worker_init(worker: object) -> None:
    """Load the place index before taking requests, so no measured search pays for it."""
    from accounts.places import resolve_place

    resolve_place("Baton Rouge, LA")
