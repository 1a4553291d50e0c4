#include "tests/support/raw_sql.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace tocsin::testing {
namespace {

std::mutex registryMutex;
std::map<std::string, std::string>& registry() {
  static std::map<std::string, std::string> stores;
  return stores;
}

// The PostgreSQL connection string `path` stands for, if any.
std::string postgresFor(const std::string& path) {
  if (path.rfind("host=", 0) == 0 || path.rfind("postgresql://", 0) == 0) return path;
  std::lock_guard lock(registryMutex);
  auto it = registry().find(path);
  return it == registry().end() ? std::string() : it->second;
}

// Runs `sql` on PostgreSQL; the first column of the first row ("" when none).
std::string onPostgres(const std::string& conninfo, const std::string& sql, bool query) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("connect to PostgreSQL: " + why);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(r);
  std::string out;
  const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  const std::string error = ok ? std::string() : PQresultErrorMessage(r);
  if (ok && status == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) out = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(conn);
  if (!ok && !query) throw std::runtime_error("sql failed: " + error);
  return out;
}

}  // namespace

std::string registeredPostgres(const std::string& path) {
  std::lock_guard lock(registryMutex);
  auto it = registry().find(path);
  return it == registry().end() ? std::string() : it->second;
}

void registerPostgresStore(const std::string& path, const std::string& conninfo) {
  std::lock_guard lock(registryMutex);
  registry()[path] = conninfo;
}

std::string dropTriggerSql(const std::string& path, const std::string& trigger, const std::string& table) {
  if (!postgresFor(path).empty()) return "DROP TRIGGER " + trigger + " ON " + table + "; ";
  return "DROP TRIGGER " + trigger + "; ";
}

void rawSql(const std::string& path, const std::string& sql) {
  if (const std::string pg = postgresFor(path); !pg.empty()) {
    onPostgres(pg, sql, false);
    return;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("sql failed: " + msg);
}

std::string rawQuery(const std::string& path, const std::string& sql) {
  if (const std::string pg = postgresFor(path); !pg.empty()) return onPostgres(pg, sql, true);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("open " + path);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st, 0);
    if (t) out = reinterpret_cast<const char*>(t);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace tocsin::testing
