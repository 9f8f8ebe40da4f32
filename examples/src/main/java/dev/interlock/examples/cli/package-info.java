/**
 * The operator's side: the command line ({@link dev.interlock.examples.cli.RootCommand}), the demo, the read-only
 * HTTP API and the embedded MariaDB used when no database is given.
 */
package dev.interlock.examples.cli;
