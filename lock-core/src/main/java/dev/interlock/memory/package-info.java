/** The in-memory {@link dev.interlock.spi.LockStore}, for tests and single-JVM use. */
package dev.interlock.memory;
