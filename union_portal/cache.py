"""The cache every app process shares: Django's database cache, which also throws away what has expired.

Django's own only deletes expired entries once the table holds more than MAX_ENTRIES, so an import
preview (names, ID numbers) that nobody confirmed would stay in the table long after its hour.
Here every write first deletes the expired entries: one indexed DELETE, and writes are rare
(previews, dossier sheets).
"""

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone


class PortalDatabaseCache(DatabaseCache):
    def set(self, *args, **kwargs):
        self.delete_expired()
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        self.delete_expired()
        return super().add(*args, **kwargs)

    def delete_expired(self) -> int:
        """Delete every expired entry; how many went."""
        connection = connections[router.db_for_write(self.cache_model_class)]
        quote = connection.ops.quote_name
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(self._table)} WHERE {quote('expires')} < %s", [now])
            return cursor.rowcount
