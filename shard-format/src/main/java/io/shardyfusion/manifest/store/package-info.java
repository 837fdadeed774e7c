/**
 * Where manifests and the current pointer are kept: the ManifestStore interface (publish,
 * loadCurrent, loadManifest, history, setCurrent, deleteManifests) with the object-store
 * implementation (manifests next to the shards) and an in-memory one for tests. PostgreSQL
 * lives in shardyfusion-manifest-postgres.
 */
package io.shardyfusion.manifest.store;
