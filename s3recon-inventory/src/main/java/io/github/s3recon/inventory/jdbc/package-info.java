/**
 * An SPI for implementers of a {@link io.github.s3recon.spi.CheckpointStore} on JDBC, not for
 * applications: {@link io.github.s3recon.inventory.jdbc.JdbcCheckpointStore} holds what every SQL
 * store of checkpoints shares (the statements that are the same in every dialect, row mapping,
 * batching and transactions, the run log and the task journal), and a
 * {@link io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend} says what differs: table names,
 * upserts, the types of free texts, how a transaction is made and where reads run. The schema,
 * its versioning and locking stay with each store, before it is constructed.
 *
 * <p>The SQLite store ({@code SqliteCheckpointStore}) and the PostgreSQL store
 * ({@code PostgresCheckpointStore}, module {@code s3recon-postgres}) are built on it. The package
 * may change between minor versions as the stores need; applications use the stores' classes.
 */
package io.github.s3recon.inventory.jdbc;
