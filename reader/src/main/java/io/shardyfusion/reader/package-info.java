/**
 * ShardedReader: serves lookups from the snapshot _CURRENT names, for any number of threads,
 * and refreshes with an atomic swap. Only ShardedReader, ReaderConfig and the listener and
 * value types are public; states, the loader and the local shard cache are internal to the
 * package.
 */
package io.shardyfusion.reader;
