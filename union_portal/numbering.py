"""Numbers handed out once: case numbers, venue codes, and later service cards and vouchers.

Each numbered thing has a sequence, named by a key "<what>:<scope>...", for example

    case:大兴调:2018     dispute cases of 大兴调 received in 2018  -> 大兴调〔2018〕0001
    venue:WS            暖心驿站 codes                             -> WS-00001
    card:2025           service cards issued in 2025               (planned)
    voucher:2025        aid vouchers of 2025                       (benefits)

A new kind of number needs no table or migration: pick a key, reserve, and format the
number with `number_formatted` (or the app's own format, as case numbers have).

`numbers_reserve` is the only way to take numbers: the sequence's row stays locked until
the caller's transaction ends, so two desks saving at the same moment never get the same
number, and a number taken by a transaction that rolls back is simply reused by the next.
"""

from django.db import IntegrityError, transaction

from .models import Sequence


def numbers_reserve(*, key: str, count: int = 1, after: int = 0) -> list[int]:
    """Reserve the next `count` numbers of the sequence `key`; they are never handed out again.

    `after` is the highest number already in use outside the sequence (a record saved with its
    number given): the sequence then goes on from there rather than hand it out a second time.
    The row is created on first use; when two transactions create it at once, the loser's
    insert fails inside its savepoint and it locks and reads the winner's row instead.
    """
    if count < 1:
        return []
    with transaction.atomic():
        if not Sequence.objects.filter(key=key).exists():
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key)
            except IntegrityError:
                pass  # created meanwhile by another transaction: locked and read below
        last = max(Sequence.objects.select_for_update().values_list("last", flat=True).get(key=key), after)
        # A queryset update writes no history row: counters move on every case and venue.
        Sequence.objects.filter(key=key).update(last=last + count)
    return list(range(last + 1, last + count + 1))


def number_formatted(*, prefix: str, number: int, digits: int = 4) -> str:
    """WS + 7 -> WS0007: a prefix and the number zero-padded to at least `digits` digits."""
    return f"{prefix}{number:0{digits}d}"
