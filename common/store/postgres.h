// PostgreSQL through libpq: the connection under the store on PostgreSQL (two or more appliances
// on one replicated database; see postgres_store.h).
//
// A connection string may name several servers ("host=10.0.0.1,10.0.0.2 port=5432,5432
// dbname=tocsin target_session_attrs=read-write"): libpq connects to the first one that accepts
// writes. After the primary dies and its standby is promoted, reconnecting with the same string
// finds the new primary by itself; with synchronous replication, every transaction the old
// primary acknowledged is there.
//
// Threading: a Connection serves one thread at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"

struct pg_conn;
struct pg_result;

namespace tocsin::pg {

using Param = std::optional<std::string>;  // nullopt is NULL

// The rows a statement returned, as text (PostgreSQL's text format).
class Rows {
 public:
  explicit Rows(pg_result* result);
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&&) = delete;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;

  int size() const;
  bool isNull(int row, int column) const;
  std::string text(int row, int column) const;
  int64_t integer(int row, int column) const;
  int64_t affected() const;  // rows an INSERT, UPDATE or DELETE changed

 private:
  friend class Connection;
  pg_result* result_;
};

class Connection;

// A transaction in progress (Connection::transaction's body).
class Tx {
 public:
  // Runs one statement with $1, $2... parameters; an SQL error names the statement's first words.
  Result<Rows> exec(const std::string& sql, const std::vector<Param>& params = {});

 private:
  friend class Connection;
  explicit Tx(Connection& c) : connection_(c) {}
  Connection& connection_;
};

class Connection {
 public:
  // Connects, trying for up to `patience` (a standby being promoted may take seconds).
  static Result<std::unique_ptr<Connection>> open(const std::string& conninfo, Clock& clock,
                                                  Micros patience = std::chrono::seconds(30));
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `body` in one transaction (READ COMMITTED) and commits it. When the connection is lost
  // (or the server stops taking writes) before COMMIT was sent, it reconnects (for up to `patience`) and runs `body` again from the
  // start, so a body must only touch the database. When it is lost while COMMIT was on its way,
  // the outcome is unknown: kUnavailable says so, and the caller checks (a write keyed so that
  // doing it twice is harmless). A body's error rolls back and is returned.
  // With `again` false, a lost server is not retried here: the transaction fails with kUnavailable
  // (nothing committed) and the next one connects afresh, for a caller whose body also changes
  // things outside the database and so must not run twice.
  Status transaction(const std::function<Status(Tx&)>& body, bool again = true);
  // One statement in a transaction of its own (DDL, a read).
  Result<Rows> exec(const std::string& sql, const std::vector<Param>& params = {});

  // "host:port" of the server connected to now.
  std::string server() const;
  // How many times the connection was made again after being lost.
  int reconnects() const { return reconnects_; }
  // The session in use (for a caller running its own statements inside transaction()'s body);
  // `sessions()` changes with every new session, which forgets prepared statements.
  pg_conn* handle() { return conn_; }
  // A statement run through handle() found the server unable to take the transaction (shutting
  // down, or no longer the primary): transaction() starts again on the next server.
  void noteServerGone() { gone_ = true; }
  int sessions() const { return sessions_; }
  // The connection string without its password, to name the store in messages.
  std::string describe() const;

 private:
  friend class Tx;
  Connection(std::string conninfo, Clock& clock, Micros patience);
  Status connect();
  bool lost() const;
  Result<Rows> run(const std::string& sql, const std::vector<Param>& params = {});

  std::string conninfo_;
  Clock& clock_;
  Micros patience_;
  pg_conn* conn_ = nullptr;
  int reconnects_ = 0;
  int sessions_ = 0;
  bool gone_ = false;
  bool connectedOnce_ = false;
};

// Forward-only schema migrations for a store on PostgreSQL, as for SQLite (migrations.h): each
// step in its own transaction, under a lock, so that nodes starting together apply it once; a
// database made by a newer Tocsin is refused. The version is kept in tocsin_schema.
struct Migration {
  int version;
  const char* description;
  const char* sql;
};
Status migrate(Connection& c, const std::vector<Migration>& steps);
Result<int> schemaVersion(Connection& c);

}  // namespace tocsin::pg
