// The store's SQL layer (sql.h) on PostgreSQL: the repositories' statements, written with
// SQLite's numbered parameters, run as PostgreSQL prepared statements.
//
// A statement is prepared per connection session and per kinds of the values bound to it
// (integers are bigint, reals double precision, blobs bytea, text is text, NULL is left for the
// server to infer), so the SQL needs no casts where SQLite needs none. Results are read in text
// form; booleans read as 0 or 1. Errors throw StoreFailure carrying a Status chosen by SQLSTATE:
// a server that went away is kUnavailable, which the store answers by running the transaction
// again on the next server (postgres.h).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/store/postgres.h"
#include "common/store/sql.h"

namespace tocsin::sql {

class PgDatabase;

// The store's writers take turns, as on SQLite: one write transaction at a time across every
// node, so the audit chain, the per-job counts and every read-then-write see what the writer
// before them committed. Taken first in every write transaction; the key spells "TCSW".
inline constexpr const char* kWriterLock = "SELECT pg_advisory_xact_lock(1413698391)";

class PgStatement final : public Statement {
 public:
  // `cacheable`: prepared once per session and kind of values, else sent whole each time.
  PgStatement(PgDatabase& db, std::string_view sql, bool cacheable);
  ~PgStatement() override;

  bool step() override;
  void run() override;
  void reset() override;
  bool isNull(int col) const override;
  int64_t getInt(int col) const override;
  double getDouble(int col) const override;
  std::string getText(int col) const override;
  std::vector<uint8_t> getBlob(int col) const override;

 protected:
  Statement& bindInt(int index, int64_t value) override;
  Statement& bindDouble(int index, double value) override;
  Statement& bindText(int index, std::string_view text) override;
  Statement& bindBytes(int index, const void* data, size_t size) override;
  Statement& bindNothing(int index) override;

 private:
  enum class Kind : char { kNull = 'n', kInt = 'i', kDouble = 'd', kText = 't', kBytes = 'b' };
  void put(int index, Kind kind, std::string value);
  void execute();
  void clearResult();
  const char* value(int col) const;

  PgDatabase& db_;
  std::string sql_;  // with $N parameters
  std::string original_;
  int params_ = 0;
  std::vector<bool> used_;  // per parameter: appears in the text
  bool cacheable_;
  std::vector<Kind> kinds_;
  std::vector<std::string> values_;
  std::unordered_map<std::string, std::string> prepared_;  // kinds -> statement name
  int session_ = -1;
  pg_result* result_ = nullptr;
  int row_ = -1;
  int rows_ = 0;
};

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(pg::Connection& connection);
  ~PgDatabase() override;

  Engine engine() const override { return Engine::kPostgres; }
  void exec(std::string_view sql) override;
  Statement& cached(std::string_view sql) override;
  std::unique_ptr<Statement> prepare(std::string_view sql) override;
  void finishStatements() override {}
  int64_t changes() const override { return changes_; }
  int64_t queryInt(std::string_view sql) override;
  const std::string& path() const override { return location_; }
  void begin(bool write) override;
  void commit() override;
  void rollback() noexcept override;
  std::string jsonListValues(int param) const override;
  std::string jsonIntegerValues(int param) const override;
  std::string integerIn(const std::string& column, int param) const override;
  std::string jsonRecords(int param, const std::string& alias, const JsonColumns& columns) const override;
  std::string jsonText(const std::string& expr, const std::string& path) const override;
  std::string utcDate(const std::string& microsExpr) const override;
  const char* skipLocked() const override { return " FOR UPDATE SKIP LOCKED"; }
  // clock_timestamp(): the time of the call, not of the transaction's start.
  const char* serverClockMicros() const override {
    return "CAST(floor(extract(epoch FROM clock_timestamp()) * 1000000) AS bigint)";
  }

  pg::Connection& connection() { return connection_; }
  // Turns a failed result into the StoreFailure to throw (consumes `result`).
  [[noreturn]] void fail(pg_result* result, std::string_view sql);
  void noteChanges(int64_t n) { changes_ = n; }
  std::string nextStatementName() { return "t" + std::to_string(++statements_); }

 private:
  pg::Connection& connection_;
  std::string location_;
  std::unordered_map<std::string, std::unique_ptr<PgStatement>> cache_;
  int64_t changes_ = 0;
  int64_t statements_ = 0;
};

// SQLite's parameters (?N, and ? numbered after the largest so far) as PostgreSQL's ($N),
// leaving quoted text and identifiers alone; `count` is set to the highest number used.
// `used`, when given, tells which numbers appear.
std::string numberedParameters(std::string_view sql, int& count, std::vector<bool>* used = nullptr);

}  // namespace tocsin::sql
