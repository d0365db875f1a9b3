"""Migration operations for what only PostgreSQL has: on SQLite (the embedded default) they change the state only.

`AddPostgresIndex`: a GIN trigram index (pg_trgm, `django.contrib.postgres`) serves `icontains` on PostgreSQL; SQLite
has no such index and searches the same columns with a plain scan.
"""

from django.db import migrations


class AddPostgresIndex(migrations.AddIndex):
    """`AddIndex` on PostgreSQL; a no-op on the database elsewhere (the model state still has the index)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{super().describe()} (PostgreSQL only)"
