-- Interlock: the lock-space table, for MySQL 8.0+ and MariaDB 10.6+.
--
-- One row per lock space. `data` is the space's JSON document; `version` grows by exactly one on every
-- change and is the fencing token of the grant that made it. Rows are only ever changed by
-- UPDATE ... SET data = ?, version = version + 1 WHERE id = ? AND version = ?.
--
-- Flyway / Liquibase users: copy this statement into a migration. To use another table name, replace
-- interlock_spaces here and give the same name to JdbiLockStore.Builder#tableName. JdbiLockStore#createSchema
-- runs this very statement (with the table name substituted), so the two never differ.
--
-- Why the details:
-- * id is utf8mb4 with a binary collation: space ids are compared exactly (case- and accent-sensitive),
--   as the in-memory store does. 191 characters * 4 bytes fits any InnoDB index limit.
-- * The table's default character set is utf8mb4 because MariaDB stores JSON as LONGTEXT in it (with an
--   automatic JSON_VALID check); with a latin1 default, non-Latin text in the document would be lost.
CREATE TABLE IF NOT EXISTS `interlock_spaces` (
  `id`      VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `version` BIGINT UNSIGNED NOT NULL,
  `data`    JSON NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
