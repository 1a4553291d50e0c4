// A thin RAII layer over the SQLite C API: one connection, prepared statements only.
//
// Errors throw StoreFailure; they are caught at the Store boundary (SqliteStore::read/write)
// and turned into a Status there, so the code inside a transaction reads straight through.
// Not thread-safe: one Database per thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/status.h"

namespace tocsin::sql {

class StoreFailure : public std::runtime_error {
 public:
  StoreFailure(int sqliteCode, const std::string& message) : std::runtime_error(message), code_(sqliteCode) {}
  int sqliteCode() const { return code_; }
  Status toStatus() const;

 private:
  int code_;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding: 1-based index, as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bindBlob(int index, const void* data, size_t size);
  Statement& bindNull(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bindNull(index);
  }

  // Runs one step; true while a row is available.
  bool step();
  // Runs a statement that returns no rows, then resets it so it can be bound and run again.
  void run();
  void reset();

  bool isNull(int col) const;
  int64_t getInt(int col) const;
  double getDouble(int col) const;
  std::string getText(int col) const;
  std::optional<std::string> getOptionalText(int col) const;
  std::optional<int64_t> getOptionalInt(int col) const;
  std::vector<uint8_t> getBlob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if asked) the database file. Throws StoreFailure.
  Database(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  // A prepared statement kept for the life of the connection, reset and unbound on each call.
  Statement& cached(std::string_view sql);
  // Resets every statement still stepping, so that COMMIT/ROLLBACK never meets one in progress.
  void finishStatements();
  int64_t lastInsertRowid() const;
  int64_t changes() const;
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

  // Reads a single integer (e.g. a PRAGMA); throws if the statement returns no row.
  int64_t queryInt(std::string_view sql);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// RAII transaction: BEGIN IMMEDIATE (write) or BEGIN DEFERRED (read); rolls back unless committed.
class Transaction {
 public:
  Transaction(Database& db, bool write);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace tocsin::sql
