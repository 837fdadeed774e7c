/**
 * Object storage behind one small interface (ObjectStore): file:// directories and s3:// (AWS
 * SDK v2 with the Apache HTTP client), opened by ObjectStores from a URL; credentials,
 * connection options, errors with a correct retryable flag, and CRC32C checksums of files.
 */
package io.shardyfusion.storage;
