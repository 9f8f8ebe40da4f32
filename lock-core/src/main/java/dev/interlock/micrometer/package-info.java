/**
 * Micrometer metrics for lock managers: {@link dev.interlock.micrometer.MicrometerLockListener}. Needs
 * {@code io.micrometer:micrometer-core}, an optional dependency of lock-core.
 */
package dev.interlock.micrometer;
