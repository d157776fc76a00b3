"""Model instances from hand-written SQL, for the few queries run so often that building
them with the ORM costs more than running them (the signed-in user on every request, the
locked meetup of every RSVP).

A RowReader names the fields a SELECT returns, in order, and turns a row into an instance
the way the ORM does: the database backend's and each field's converters (SQLite returns
datetimes as text, for one), then `Model.from_db`. Fields not selected are deferred.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model

Converter = Callable[[Any, Any, Any], Any]


class RowReader[M: Model]:
    def __init__(self, model: type[M], field_names: Sequence[str] | None = None) -> None:
        self.model = model
        meta = model._meta
        if field_names is None:
            self.fields = list(meta.concrete_fields)
        else:
            self.fields = [meta.get_field(name) for name in field_names]
        self.attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[tuple[int, Any, list[Converter]]]] = {}

    def columns(self, table_alias: str | None = None) -> str:
        """The SELECT list, quoted: `"id", "email", ...`."""
        prefix = f'"{table_alias}".' if table_alias else ""
        return ", ".join(f'{prefix}"{field.column}"' for field in self.fields)

    def _converters_for(self, using: str) -> list[tuple[int, Any, list[Converter]]]:
        converters = self._converters.get(using)
        if converters is None:
            connection = connections[using]
            converters = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if found:
                    converters.append((index, column, found))
            self._converters[using] = converters
        return converters

    def instance(self, row: Sequence[Any], using: str) -> M:
        values = list(row)
        converters = self._converters_for(using)
        if converters:
            connection = connections[using]
            for index, column, functions in converters:
                for convert in functions:
                    values[index] = convert(values[index], column, connection)
        return self.model.from_db(using, self.attnames, values)
