package io.shardyfusion.manifest.store;

import io.shardyfusion.manifest.CurrentPointer;

/** What a {@link ManifestStore#publish} wrote: the manifest's ref and the new current pointer. */
public record PublishedRef(String manifestRef, CurrentPointer pointer) {}
