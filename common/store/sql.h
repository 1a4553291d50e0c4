// The store's SQL layer: a connection and its prepared statements, written once for both
// engines: SQLite (sqlite.h) and PostgreSQL (postgres_sql.h). The repositories (repositories.h)
// speak only to these interfaces.
//
// Errors throw StoreFailure; they are caught at the Store boundary (Store::read/write) and
// turned into a Status there, so the code inside a transaction reads straight through.
// Not thread-safe: one Database per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace tocsin::sql {


class StoreFailure : public std::runtime_error {
 public:
  // A failure classified by the engine that met it (SQLite's result code, PostgreSQL's SQLSTATE).
  explicit StoreFailure(Status status) : std::runtime_error(status.message()), status_(std::move(status)) {}
  // Data the store holds that the code cannot read (an unknown state, a malformed column).
  static StoreFailure damaged(const std::string& what) {
    return StoreFailure(Status::dataLoss("the store's data is damaged: " + what));
  }
  const Status& toStatus() const { return status_; }

 private:
  Status status_;
};

// A prepared statement, on either engine. Binding is 1-based, as in SQLite; the SQL text uses
// SQLite's numbered parameters (?1, ?2, ...), which the PostgreSQL side rewrites as $1, $2.
class Statement {
 public:
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value) { return bindInt(index, value); }
  Statement& bind(int index, int value) { return bindInt(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value) { return bindDouble(index, value); }
  Statement& bind(int index, std::string_view text) { return bindText(index, text); }
  Statement& bind(int index, const char* text) { return bindText(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bindText(index, std::string_view(text)); }
  Statement& bindBlob(int index, const void* data, size_t size) { return bindBytes(index, data, size); }
  Statement& bindNull(int index) { return bindNothing(index); }
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  // Runs one step; true while a row is available.
  virtual bool step() = 0;
  // Runs a statement that returns no rows, then resets it so it can be bound and run again.
  virtual void run() = 0;
  virtual void reset() = 0;

  virtual bool isNull(int col) const = 0;
  virtual int64_t getInt(int col) const = 0;  // a boolean reads as 0 or 1
  virtual double getDouble(int col) const = 0;
  virtual std::string getText(int col) const = 0;
  virtual std::vector<uint8_t> getBlob(int col) const = 0;
  std::optional<std::string> getOptionalText(int col) const {
    if (isNull(col)) return std::nullopt;
    return getText(col);
  }
  std::optional<int64_t> getOptionalInt(int col) const {
    if (isNull(col)) return std::nullopt;
    return getInt(col);
  }

 protected:
  Statement() = default;
  virtual Statement& bindInt(int index, int64_t value) = 0;
  virtual Statement& bindDouble(int index, double value) = 0;
  virtual Statement& bindText(int index, std::string_view text) = 0;
  virtual Statement& bindBytes(int index, const void* data, size_t size) = 0;
  virtual Statement& bindNothing(int index) = 0;
};

// Runs an INSERT ... RETURNING id: the id, or nullopt when nothing was inserted.
inline std::optional<int64_t> insertedId(Statement& st) {
  std::optional<int64_t> id;
  if (st.step()) id = st.getInt(0);
  st.reset();
  return id;
}

// " ON CONFLICT (key) DO UPDATE SET c = excluded.c, ..." for every column of the comma-separated
// `columns` but the key: an INSERT that replaces the row in place, on both engines.
std::string replaceOnConflict(std::string_view key, std::string_view columns);

enum class Engine { kSqlite, kPostgres };

// One connection to the store's database, on either engine. The repositories speak SQL that
// both engines accept, and ask the connection for the few fragments that differ.
class Database {
 public:
  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual Engine engine() const = 0;
  virtual void exec(std::string_view sql) = 0;
  // A prepared statement kept for the life of the connection, reset and unbound on each call.
  virtual Statement& cached(std::string_view sql) = 0;
  // A statement for one use (a query built for the occasion, or a long walk).
  virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;
  // Resets every statement still stepping, so that COMMIT/ROLLBACK never meets one in progress.
  virtual void finishStatements() = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE run on this connection.
  virtual int64_t changes() const = 0;
  // Reads a single integer; throws if the statement returns no row.
  virtual int64_t queryInt(std::string_view sql) = 0;
  // Where the database is, for messages (a file, or a server without its password).
  virtual const std::string& path() const = 0;

  // Transactions: a write transaction is serialised against every other writer.
  virtual void begin(bool write) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  // The values of the JSON array of strings bound at ?N, as a subquery: "(SELECT ...)".
  virtual std::string jsonListValues(int param) const = 0;
  // The same for an array of integers.
  virtual std::string jsonIntegerValues(int param) const = 0;
  // "`column` is one of the JSON array of integers bound at ?N", written so that the column's
  // index is used whatever the table's statistics say (on PostgreSQL, = ANY of an array: a
  // set-returning function counts as 100 rows, and against a table the statistics still think
  // small, that chose a scan of every row).
  virtual std::string integerIn(const std::string& column, int param) const = 0;
  // The JSON array of objects bound at ?N as rows, a FROM item named `alias` with `columns`
  // ({name, "bigint" or "text"}); a member missing or null reads as NULL.
  using JsonColumns = std::vector<std::pair<std::string, std::string>>;
  virtual std::string jsonRecords(int param, const std::string& alias, const JsonColumns& columns) const = 0;
  // A JSON document's member, as text: `path` is "$.name" or "$[0]".
  virtual std::string jsonText(const std::string& expr, const std::string& path) const = 0;
  // The UTC date (YYYY-MM-DD) of a time in microseconds since the epoch.
  virtual std::string utcDate(const std::string& microsExpr) const = 0;
  // Appended to a SELECT of rows about to be claimed: rows another connection is claiming are
  // skipped rather than waited for ("" where one writer at a time is all there is).
  virtual const char* skipLocked() const = 0;
  // An expression for the server's clock in microseconds since the epoch, or "" where the
  // database is a file and this machine's clock is the only one.
  virtual const char* serverClockMicros() const = 0;

 protected:
  Database() = default;
};

// RAII transaction: rolls back unless committed.
class Transaction {
 public:
  Transaction(Database& db, bool write) : db_(db) { db_.begin(write); }
  ~Transaction() {
    if (open_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.commit();
    open_ = false;
  }

 private:
  Database& db_;
  bool open_ = true;
};

// A JSON array of integers, to bind where jsonIntegerValues() reads one.
std::string jsonIntegers(const std::vector<int64_t>& items);

}  // namespace tocsin::sql
