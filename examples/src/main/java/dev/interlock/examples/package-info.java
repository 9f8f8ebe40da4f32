/**
 * Interlock's examples: a backup-and-archive server whose task processes use the locks. {@link
 * dev.interlock.examples.Main} is the entry point of {@code interlock-examples.jar}; {@link
 * dev.interlock.examples.ReadmeExample} holds the README's usage snippet as compiled, tested code.
 */
package dev.interlock.examples;
