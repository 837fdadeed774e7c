/**
 * The SQLite shard backend: one {@code shard.db} per shard, exactly the Python system's file
 * ({@code kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID}, rollback journal, page size
 * 4096 or chosen), so that either system reads what the other writes. Only SqliteBackend and
 * PageSize are public; builder, readers and checks are internal to the package.
 */
package io.shardyfusion.backend.sqlite;
