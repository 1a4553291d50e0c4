// The store's SQL layer (sql.h) on a SQLite file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/store/sql.h"

namespace tocsin::sql {

// One connection to a SQLite file.
class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement() override;

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
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDatabase final : public Database {
 public:
  // Opens (creating if asked) the database file. Throws StoreFailure.
  SqliteDatabase(const std::string& path, bool create);
  ~SqliteDatabase() override;

  Engine engine() const override { return Engine::kSqlite; }
  void exec(std::string_view sql) override;
  Statement& cached(std::string_view sql) override;
  std::unique_ptr<Statement> prepare(std::string_view sql) override;
  void finishStatements() override;
  int64_t changes() const override;
  int64_t queryInt(std::string_view sql) override;
  const std::string& path() const override { return path_; }
  void begin(bool write) override;
  void commit() override;
  void rollback() noexcept override;
  std::string jsonListValues(int param) const override;
  std::string jsonIntegerValues(int param) const override { return jsonListValues(param); }
  std::string integerIn(const std::string& column, int param) const override {
    return column + " IN " + jsonListValues(param);
  }
  std::string jsonRecords(int param, const std::string& alias, const JsonColumns& columns) const override;
  std::string jsonText(const std::string& expr, const std::string& path) const override;
  std::string utcDate(const std::string& microsExpr) const override;
  const char* skipLocked() const override { return ""; }
  const char* serverClockMicros() const override { return ""; }

  int64_t lastInsertRowid() const;
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace tocsin::sql
