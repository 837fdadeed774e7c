/**
 * Where a snapshot's objects live under its prefix (shards/run_id=.../db=.../attempt=...,
 * manifests/..., _CURRENT, and run records: runs/&lt;time&gt;_run_id=R_&lt;uuid&gt;/run.yaml as the
 * Python system names them, plus the legacy runs/run_id=R/_RUN, read only), and the naming rules
 * of run ids, manifest keys and run record keys. Shared by writers, readers, cleanup and every
 * manifest store.
 */
package io.shardyfusion.layout;
