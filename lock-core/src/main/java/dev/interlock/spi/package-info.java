/**
 * The service-provider interface for lock stores: read a versioned document, compare-and-set it.
 *
 * <p>For store authors only; application code uses {@link dev.interlock.LockManager}.
 */
package dev.interlock.spi;
