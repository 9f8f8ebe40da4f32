/**
 * The MySQL and MariaDB lock store, on Jdbi: {@link dev.interlock.jdbi.JdbiLockStore}, and its table's DDL
 * (the class path resource {@code dev/interlock/jdbi/schema-mysql.sql}, for Flyway or Liquibase migrations).
 */
package dev.interlock.jdbi;
