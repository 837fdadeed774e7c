/** Per-runner launch bundles (Direct, Flink, Spark). */
package io.shardyfusion.runners;
