#include "common/store/postgres_store.h"

#include <cstdlib>

#include "common/store/migrations.h"
#include "common/store/postgres.h"
#include "common/store/postgres_schema.h"
#include "common/store/postgres_sql.h"
#include "common/store/repositories.h"

namespace tocsin {

struct PgStore::Impl {
  explicit Impl(std::unique_ptr<pg::Connection> c) : connection(std::move(c)), db(*connection), repos(db) {}
  std::unique_ptr<pg::Connection> connection;
  sql::PgDatabase db;
  sql::RepositorySet repos;
  int schemaVersion = 0;
  int64_t ownCommits = 0;  // write transactions this connection committed
  bool inTransaction = false;
};

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::~PgStore() = default;

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& conninfo, Clock& clock, const PgStoreOptions& options) {
  auto connected = pg::Connection::open(conninfo, clock, options.patience);
  if (!connected.ok()) return connected.status().withContext("opening the PostgreSQL store");
  auto impl = std::make_unique<Impl>(std::move(connected).value());
  const std::string where = impl->connection->describe();
  if (pg::storeMigrations().back().version != sql::latestSchemaVersion())
    return Status::internal("the PostgreSQL schema stops at version " +
                            std::to_string(pg::storeMigrations().back().version) + ", SQLite's at " +
                            std::to_string(sql::latestSchemaVersion()));
  if (Status migrated = pg::migrate(*impl->connection, pg::storeMigrations()); !migrated.ok())
    return migrated.withContext("opening store " + where);
  TOCSIN_ASSIGN_OR_RETURN(impl->schemaVersion, pg::schemaVersion(*impl->connection));
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

Status PgStore::run(bool write, const Body& body) {
  // A body runs on this connection's transaction: a store used again inside it would commit that
  // transaction early (SQLite refuses the same).
  if (impl_->inTransaction) return Status::internal("a store transaction was started inside another on the same connection");
  impl_->inTransaction = true;
  struct Leave {
    bool& flag;
    ~Leave() { flag = false; }
  } leave{impl_->inTransaction};
  return impl_->connection->transaction([&](pg::Tx&) -> Status {
    try {
      impl_->repos.startTransaction();
      impl_->db.exec(write ? sql::kWriterLock : "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      Status st = body(impl_->repos);
      if (!st.ok()) {
        impl_->repos.counts.discard();
        return st;
      }
      if (write) {
        impl_->repos.counts.flush();
        impl_->db.cached("UPDATE store_version SET n = n + 1").run();
      }
      return Status::okStatus();
    } catch (const sql::StoreFailure& e) {
      impl_->repos.counts.discard();
      return e.toStatus();
    }
  }, /*again=*/false);  // a body may change things outside the store (a pass hands messages over)
}

Status PgStore::read(const Body& body) { return run(false, body); }

Status PgStore::write(const Body& body) {
  Status st = run(true, body);
  if (st.ok()) ++impl_->ownCommits;
  return st;
}

StoreInfo PgStore::info() const { return {impl_->db.path(), impl_->schemaVersion, 0, {}}; }

Status PgStore::compact() {
  // Erased rows stay in their pages until vacuumed; VACUUM cannot run inside a transaction.
  try {
    impl_->db.exec(
        "VACUUM contacts, consent_events, consent_state, messages, delivery_reports, incoming_messages, signups, "
        "webhook_deliveries, jobs, shops, links, list_members, contact_tags");
    return Status::okStatus();
  } catch (const sql::StoreFailure& e) {
    return e.toStatus();
  }
}

Result<uint64_t> PgStore::changeCount() {
  if (impl_->inTransaction) return Status::internal("the store's change count was asked inside a transaction");
  // Every write transaction bumps store_version; this connection's own do not count.
  TOCSIN_ASSIGN_OR_RETURN(pg::Rows rows, impl_->connection->exec("SELECT n FROM store_version"));
  if (rows.size() != 1) return Status::internal("the store's version row is missing");
  return static_cast<uint64_t>(rows.integer(0, 0) - impl_->ownCommits);
}

std::string PgStore::server() const { return impl_->connection->server(); }
int PgStore::reconnects() const { return impl_->connection->reconnects(); }

}  // namespace tocsin
