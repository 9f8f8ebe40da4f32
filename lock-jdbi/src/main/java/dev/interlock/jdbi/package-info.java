/** The MySQL and MariaDB lock store, on Jdbi. */
package dev.interlock.jdbi;
