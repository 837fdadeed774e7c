/**
 * Rollback: point _CURRENT back at an earlier manifest, chosen by ref, run id or offset from
 * the current one, after checking that it loads.
 */
package io.shardyfusion.ops.rollback;
