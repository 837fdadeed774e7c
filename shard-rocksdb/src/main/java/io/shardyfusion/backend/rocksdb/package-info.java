/**
 * The RocksDB shard backend (the default): SstFileWriter-built databases ingested into an empty
 * RocksDB, served by read-only handles sharing an LRU block cache. Only RocksDbBackend and
 * ShardFormatOptions are public; builder and readers are internal to the package.
 */
package io.shardyfusion.backend.rocksdb;
