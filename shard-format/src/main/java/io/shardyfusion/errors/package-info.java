/**
 * The exceptions every public API throws: ShardyfusionException and its subclasses, each with a
 * retryable flag that says whether trying the same call again can succeed, and a message naming
 * the problem and the fix.
 */
package io.shardyfusion.errors;
