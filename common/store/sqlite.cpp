#include "common/store/sqlite.h"

#include "common/jobs/job.h"

namespace tocsin::sql {
namespace {

// A SQLite result code as the store's Status.
StoreFailure sqliteFailure(int rc, const std::string& message) {
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreFailure(Status::unavailable("the store is busy (another process holds its lock): " + message));
    case SQLITE_FULL:
      return StoreFailure(Status::exhausted("the disk holding the store is full: " + message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreFailure(Status::dataLoss("the store file is damaged: " + message));
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return StoreFailure(Status::ioError(message));
    case SQLITE_CONSTRAINT:
      return StoreFailure(Status::failedPrecondition(message));
    default:
      return StoreFailure(Status::internal(message));
  }
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw sqliteFailure(rc, msg);
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "cannot prepare '" + std::string(sql.substr(0, 80)) + "'");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Statement& SqliteStatement::bindInt(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& SqliteStatement::bindDouble(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& SqliteStatement::bindText(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& SqliteStatement::bindBytes(int index, const void* data, size_t size) {
  const int rc = sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& SqliteStatement::bindNothing(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "statement failed");
}

void SqliteStatement::run() {
  while (step()) {
  }
  sqlite3_reset(stmt_);  // ready to be bound and run again (bindings are rebound by the caller)
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t SqliteStatement::getInt(int col) const { return sqlite3_column_int64(stmt_, col); }
double SqliteStatement::getDouble(int col) const { return sqlite3_column_double(stmt_, col); }

std::string SqliteStatement::getText(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::vector<uint8_t> SqliteStatement::getBlob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}

namespace {

// SQLite keeps memory statistics under a global mutex on every allocation; Tocsin never reads
// them. Must happen before SQLite initialises itself, hence at the first connection.
void configureOnce() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

}  // namespace

namespace {

// primary_language(tag): the same rule as tocsin::primaryLanguage, for queries that pick each
// recipient's text in SQL. Deterministic, so SQLite may use it in indexes and plans.
void primaryLanguageFunction(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (!text) {
    sqlite3_result_null(context);
    return;
  }
  const std::string primary = primaryLanguage(std::string_view(text, static_cast<size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(context, primary.data(), static_cast<int>(primary.size()), SQLITE_TRANSIENT);
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, bool create) : path_(path) {
  configureOnce();
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open store " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw sqliteFailure(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_create_function(db_, "primary_language", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                          primaryLanguageFunction, nullptr, nullptr);
}

SqliteDatabase::~SqliteDatabase() {
  cache_.clear();  // statements must be finalised before the connection closes
  sqlite3_close(db_);
}

void SqliteDatabase::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw sqliteFailure(rc, msg);
  }
}

Statement& SqliteDatabase::cached(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(db_, sql)).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

void SqliteDatabase::finishStatements() {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s; s = sqlite3_next_stmt(db_, s))
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
}

int64_t SqliteDatabase::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int64_t SqliteDatabase::changes() const { return sqlite3_changes64(db_); }

int64_t SqliteDatabase::queryInt(std::string_view sql) {
  SqliteStatement st(db_, sql);
  if (!st.step()) throw sqliteFailure(SQLITE_ERROR, "no result for '" + std::string(sql) + "'");
  return st.getInt(0);
}

std::unique_ptr<Statement> SqliteDatabase::prepare(std::string_view sql) {
  return std::make_unique<SqliteStatement>(db_, sql);
}

void SqliteDatabase::begin(bool write) { exec(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"); }

void SqliteDatabase::commit() {
  finishStatements();
  exec("COMMIT");
}

void SqliteDatabase::rollback() noexcept {
  finishStatements();
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::string SqliteDatabase::jsonListValues(int param) const {
  return "(SELECT value FROM json_each(?" + std::to_string(param) + "))";
}

std::string SqliteDatabase::jsonRecords(int param, const std::string& alias, const JsonColumns& columns) const {
  std::string select;
  for (const auto& [name, type] : columns)
    select += (select.empty() ? "" : ", ") + std::string("json_extract(value, '$.") + name + "') AS " + name;
  return "(SELECT " + select + " FROM json_each(?" + std::to_string(param) + ")) AS " + alias;
}

std::string SqliteDatabase::jsonText(const std::string& expr, const std::string& path) const {
  return "CAST(json_extract(" + expr + ", '" + path + "') AS TEXT)";
}

std::string SqliteDatabase::utcDate(const std::string& microsExpr) const {
  return "strftime('%Y-%m-%d', (" + microsExpr + ") / 1000000, 'unixepoch')";
}

}  // namespace tocsin::sql
