"""What the bench scripts of tools/ share: printing, the machine's load, and measuring a step.

On a shared machine the wall time says little on its own: ``measured`` also gives the CPU time of this (the
Odoo) process, the number of queries and the time spent waiting for them (PostgreSQL's work plus the round
trips), so that what the load hides can be told apart.
"""

import os
import sys
import threading
import time
from contextlib import contextmanager


def out(text=""):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def load():
    one, five, fifteen = os.getloadavg()
    return "load average %.2f, %.2f, %.2f on %s cores" % (one, five, fifteen, os.cpu_count())


def verdict(ok):
    return "ok" if ok else "MISSED"


@contextmanager
def measured(cr=None):
    """Measure the block: yields a dict filled on exit with ``seconds`` (wall), ``cpu`` (this process),
    ``queries`` and ``sql`` (seconds spent in the queries, as Odoo's cursor counts them for the thread)."""
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    row = {}
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield row
    finally:
        row.update(
            seconds=time.perf_counter() - start,
            cpu=time.process_time() - cpu,
            queries=thread.query_count,
            sql=thread.query_time,
        )
        del thread.query_count, thread.query_time


def describe(row):
    """``12.3 s wall, 8.1 s Python CPU, 4.0 s in 788 queries``."""
    return "%.1f s wall, %.1f s Python CPU, %.1f s in %d queries" % (
        row["seconds"], row["cpu"], row["sql"], row["queries"]
    )
