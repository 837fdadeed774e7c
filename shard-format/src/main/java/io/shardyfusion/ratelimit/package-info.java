/**
 * A token bucket with an injectable clock, so that rate limits (writer rows and bytes per
 * second, reader lookups per second) can be tested without sleeping.
 */
package io.shardyfusion.ratelimit;
