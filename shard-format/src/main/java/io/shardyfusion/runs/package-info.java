/**
 * Run records: each writer's RUNNING/PUBLISHED/FAILED state with a lease, so that cleanup
 * never deletes the uploads of a live run. Written as the Python system's run registry
 * documents (runs/&lt;time&gt;_run_id=R_&lt;uuid&gt;/run.yaml, YAML, possibly several per run);
 * the legacy runs/run_id=R/_RUN (JSON) of earlier JVM writers is still read. Read and written
 * by RunRecords, which merges a run's records into the most protective one.
 */
package io.shardyfusion.runs;
