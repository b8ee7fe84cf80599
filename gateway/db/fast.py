"""Core statements run straight on the driver connection: the check's hot path.

`conn.execute(stmt)` costs about 40 microseconds a statement in SQLAlchemy itself
(cache key, execution context, result metadata), ten times what SQLite needs to run
the statement. The check runs six of them per order, so the few statements on its
path are compiled once per dialect and run on the driver's own connection, inside
the transaction SQLAlchemy began. Statement, bind types and result types still come
from the one Core construct (Money, UtcDateTime and dates convert exactly as
elsewhere), and driver errors are translated into SQLAlchemy's, so callers and
error handlers see no difference.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Dialect, exc
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any] | None
# A statement and its parameters, to be sent with others (gateway.db.pipeline).
Read = tuple["FastStatement", Mapping[str, Any]]


class FastStatement:
    """A Core statement, compiled lazily for each dialect it meets."""

    def __init__(self, stmt: ClauseElement) -> None:
        self._stmt = stmt
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, conn: Connection) -> _Compiled:
        compiled = self._compiled.get(conn.dialect.name)
        if compiled is None:
            compiled = self._compiled[conn.dialect.name] = _Compiled(self._stmt, conn.dialect)
        return compiled

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        return self._for(conn).run(conn, params, fetch=True)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any | None:
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def scalar(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        return self.rows(conn, params)[0][0]

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> None:
        self._for(conn).run(conn, params, fetch=False)

    def send(self, conn: Connection, params: Mapping[str, Any]) -> Pending:
        """Send the statement and leave its rows to be read later: inside a psycopg
        pipeline (gateway.db.pipeline) it is queued, not yet sent."""
        compiled = self._for(conn)
        return Pending(compiled, on_driver_cursor(conn, compiled.sql, compiled.args(params)))


class Pending:
    """A statement sent through `FastStatement.send`; `rows()` once its answer is in."""

    def __init__(self, compiled: _Compiled, cursor: Any) -> None:
        self._compiled = compiled
        self._cursor = cursor

    def rows(self) -> list[Any]:
        return self._compiled.typed(self._cursor.fetchall())

    def first(self) -> Any | None:
        rows = self.rows()
        return rows[0] if rows else None


class _Compiled:
    def __init__(self, stmt: ClauseElement, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        binds = compiled.binds
        # qmark drivers (SQLite) take a list in bind order; pyformat ones a dict.
        self.positional = compiled.positiontup is not None
        names = compiled.positiontup if compiled.positiontup is not None else list(binds)
        self.binders: list[tuple[str, Processor]] = [
            (k, binds[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in names
        ]
        self.defaults = {k: b.effective_value for k, b in binds.items() if not b.required}
        columns = list(getattr(stmt, "selected_columns", ()))
        readers = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.readers = [(i, f) for i, f in enumerate(readers) if f is not None]
        self.row = namedtuple("FastRow", [c.key or f"c{n}" for n, c in enumerate(columns)])  # type: ignore[misc]

    def args(self, params: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **params} if self.defaults else params
        if self.positional:
            return [f(values[k]) if f else values[k] for k, f in self.binders]
        return {k: (f(values[k]) if f else values[k]) for k, f in self.binders}

    def run(self, conn: Connection, params: Mapping[str, Any], *, fetch: bool) -> list[Any]:
        return self.typed(on_driver(conn, self.sql, self.args(params), fetch=fetch))

    def typed(self, raw: list[Any]) -> list[Any]:
        rows = []
        for record in raw:
            if self.readers:
                record = list(record)
                for i, read in self.readers:
                    record[i] = read(record[i])
            rows.append(self.row(*record))
        return rows


def on_driver(conn: Connection, sql: str, args: Any = (), *, fetch: bool = False) -> list[Any]:
    """`sql` on the driver connection, inside SQLAlchemy's transaction; the driver's
    errors become SQLAlchemy's (DBAPIError), as callers and error handlers expect."""
    driver = conn.connection.driver_connection
    assert driver is not None
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        cursor = driver.execute(sql, args)
        return cursor.fetchall() if fetch else []
    except dbapi_error as err:
        raise exc.DBAPIError.instance(sql, args, err, dbapi_error, dialect=conn.dialect) from err


def on_driver_cursor(conn: Connection, sql: str, args: Any = ()) -> Any:
    """`sql` sent on the driver connection: its cursor, rows not yet read."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver_errors(conn, sql, args):
        return driver.execute(sql, args)


@contextmanager
def driver_errors(conn: Connection, sql: str, args: Any = ()) -> Iterator[None]:
    """The driver's errors raised in the block, as SQLAlchemy's."""
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as err:
        raise exc.DBAPIError.instance(sql, args, err, dbapi_error, dialect=conn.dialect) from err
