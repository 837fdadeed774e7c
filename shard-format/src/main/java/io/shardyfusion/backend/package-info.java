/**
 * The shard backend SPI: how one shard is stored. A ShardBackend gives a ShardBuilder (records
 * in key order in, local files with sizes and CRC32C out) and ShardReaders (open those files
 * read-only for get, multiGet and sorted scans). Manifests name the backend of their snapshot
 * (required.shard_format); ShardBackends finds the implementation on the classpath by that
 * name. Implementations live in their own modules (shardyfusion-shard-rocksdb).
 */
package io.shardyfusion.backend;
