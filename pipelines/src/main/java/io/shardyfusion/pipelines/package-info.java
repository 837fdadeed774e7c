/** Ready-to-run Beam jobs built on {@code io.shardyfusion.transforms}. */
package io.shardyfusion.pipelines;
