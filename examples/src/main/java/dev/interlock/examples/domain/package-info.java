/**
 * The backup and archive domain: apps, backups, archives and settings in MySQL tables (through Jdbi), backups
 * written to a local mount as {@code .tar.gz} or a copied tree, encrypted with AES-GCM, the long operations under
 * their locks ({@link dev.interlock.examples.domain.Operations}, {@link dev.interlock.examples.domain.LockNames}),
 * and the retention cleaner.
 */
package dev.interlock.examples.domain;
