/**
 * Run records (runs/run_id=R/_RUN): each writer's RUNNING/PUBLISHED/FAILED state with a lease,
 * read and written by RunRecords, so that cleanup never deletes the uploads of a live run.
 */
package io.shardyfusion.runs;
