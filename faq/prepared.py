"""ORM querysets compiled to SQL once per process and run with new parameters.

Building and compiling a queryset costs 0.3 to 3 ms of Python; running the
SQL it compiles to costs tens of microseconds. A page rendered on every cache
miss pays the compile for each of its queries, so its hot queries are written
as ordinary querysets (keeping `published()` the one definition of what the
public sees) and compiled once, with marker values where each request's
values go. The same idea as django-prepared-queries (unmaintained since 2017).

    question_by_id = PreparedQuery(
        lambda pk: Question.objects.published().filter(pk=pk).values("text"), pk=int
    )
    question_by_id(pk=3)  # [{"text": "..."}]

A parameter may be a str or an int, used in exact or range lookups, any
number of times; values are passed to the database as parameters, never
pasted into SQL. Lookups that transform a value (`__contains`, `__in` with a
list) cannot carry a marker, and compiling says so.
"""

import itertools
import threading

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections

# Markers no real query parameter equals: integers far past any id or
# position here, yet inside a 32-bit column's range (Django compiles a lookup
# on a value out of the column's range to "no rows", dropping the marker), and
# strings with control characters no slug or form value holds.
_INT_MARKER_BASE = 1_900_000_000
_marker_numbers = itertools.count()


class PreparedQuery:
    def __init__(self, build, **parameter_types):
        """`build(**markers)` returns a `.values()` queryset; `parameter_types`
        names each parameter and its type (str or int)."""
        unsupported = {
            name: kind for name, kind in parameter_types.items() if kind not in (str, int)
        }
        if unsupported:
            raise TypeError(f"Parameters must be str or int, not {unsupported}.")
        self.build = build
        self.parameter_types = parameter_types
        self.compiled = {}  # one compiled statement per database alias
        self.lock = threading.Lock()

    def __call__(self, using=DEFAULT_DB_ALIAS, **values):
        """The rows, as dicts named like `.values()` names them."""
        if values.keys() != self.parameter_types.keys():
            raise TypeError(
                f"Expected parameters {sorted(self.parameter_types)}, got {sorted(values)}."
            )
        statement = self.compiled.get(using) or self.compile(using)
        params = [
            values[slot] if slot is not None else constant for slot, constant in statement.params
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if statement.trim:
            rows = [row[: statement.column_count] for row in rows]
        if statement.converters:
            rows = statement.compiler.apply_converters(rows, statement.converters)
        names = statement.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def compile(self, using):
        with self.lock:
            if using not in self.compiled:
                self.compiled[using] = _Statement(self.build, self.parameter_types, using)
            return self.compiled[using]


class _Statement:
    def __init__(self, build, parameter_types, using):
        markers = {name: _marker(kind) for name, kind in parameter_types.items()}
        queryset = build(**markers)
        query = queryset.query
        compiler = query.get_compiler(using)
        try:
            self.sql, raw_params = compiler.as_sql()
        except EmptyResultSet as error:
            raise ValueError(
                f"A marker for {sorted(markers)} is out of a column's range on "
                f"{connections[using].vendor}; use an integer column of 32 bits or more."
            ) from error
        by_marker = {marker: name for name, marker in markers.items()}
        self.params = [(by_marker.get(_hashable(value)), value) for value in raw_params]
        missing = set(markers) - {slot for slot, _ in self.params if slot is not None}
        if missing:
            raise ValueError(
                f"Parameters {sorted(missing)} do not reach the SQL unchanged; "
                "use them only in exact or range lookups."
            )
        self.compiler = compiler
        self.column_count = compiler.col_count
        self.trim = compiler.has_extra_select
        self.converters = compiler.get_converters(
            [s[0] for s in compiler.select[: self.column_count]]
        )
        self.names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        if not self.names:
            raise TypeError("A prepared query must be a .values() queryset.")


def _marker(kind):
    number = next(_marker_numbers)
    return _INT_MARKER_BASE + number if kind is int else f"\x1eparameter-{number}\x1e"


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return None
    return value
