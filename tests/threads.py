"""Many people at once: run the same work in several threads released together, each with its own connection."""

import threading

from django.db import connections


def at_once(work, count: int) -> tuple[list, list]:
    """Run work(n) for n in range(count), each in its own thread, all released together; (results, errors)."""
    results, errors = [], []
    start = threading.Barrier(count)

    def run(n):
        try:
            start.wait()
            results.append(work(n))
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
