// PgStore: the Store on a PostgreSQL database, for two or more broadcaster nodes sharing one
// replicated database (see README "Two appliances on PostgreSQL").
//
// The repositories are the same code as SqliteStore's (repositories.h) over a PostgreSQL
// connection (postgres_sql.h); the schema is postgres_schema.h, numbered as SQLite's. Write
// transactions take turns across every node (kWriterLock); reads see one snapshot (REPEATABLE
// READ). When the server goes away before COMMIT, the transaction fails with kUnavailable and
// nothing committed; the next one connects to the server of the connection string that accepts
// writes (waiting for one up to `patience`). When it goes away during COMMIT, the outcome is
// unknown and kUnavailable says so. Either way the caller tries again, as after a busy SQLite.
#pragma once

#include <memory>
#include <string>

#include "common/base/clock.h"
#include "common/store/store.h"

namespace tocsin {

struct PgStoreOptions {
  // How long one attempt keeps trying to reach a server that accepts writes (a standby being
  // promoted): short, so the broadcaster's loop comes round (and tells the watchdog) meanwhile.
  Micros patience = std::chrono::seconds(5);
};

class PgStore final : public Store {
 public:
  // Connects with `conninfo` (libpq's key=value string or URI) and migrates the schema.
  static Result<std::unique_ptr<PgStore>> open(const std::string& conninfo, Clock& clock, const PgStoreOptions& options = {});
  ~PgStore() override;

  Status read(const Body& body) override;
  Status write(const Body& body) override;
  StoreInfo info() const override;
  Status compact() override;
  Result<uint64_t> changeCount() override;

  // The server connected to now ("host:port"), and how many times the store reconnected.
  std::string server() const;
  int reconnects() const;

 private:
  struct Impl;
  explicit PgStore(std::unique_ptr<Impl> impl);
  Status run(bool write, const Body& body);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin
