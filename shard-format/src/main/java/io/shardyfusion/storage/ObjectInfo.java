package io.shardyfusion.storage;

/** A listed object: its key relative to the store's prefix, and its size in bytes. */
public record ObjectInfo(String key, long size) {}
