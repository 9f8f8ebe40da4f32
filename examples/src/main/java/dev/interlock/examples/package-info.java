/** The backup and archive domain built on Interlock's locks. */
package dev.interlock.examples;
