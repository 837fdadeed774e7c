/**
 * A {@link io.shardyfusion.manifest.store.ManifestStore} in PostgreSQL:
 * {@link io.shardyfusion.manifest.postgres.PostgresManifestStore}, configured by
 * {@link io.shardyfusion.manifest.postgres.PostgresConfig}.
 */
package io.shardyfusion.manifest.postgres;
