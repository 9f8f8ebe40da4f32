/**
 * The lock engine and its machinery. Not API: anything here may change in any release.
 */
package dev.interlock.internal;
