/**
 * Where a snapshot's objects live under its prefix (shards/run_id=.../db=.../attempt=...,
 * manifests/..., _CURRENT, runs/...), and the naming rules of run ids and manifest keys. Shared
 * by writers, readers, cleanup and every manifest store.
 */
package io.shardyfusion.layout;
