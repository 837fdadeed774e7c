/** Fixtures shared by the modules' tests. */
package io.shardyfusion.testing;
