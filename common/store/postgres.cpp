#include "common/store/postgres.h"

#include <libpq-fe.h>

#include <string_view>

#include "common/base/text.h"

namespace tocsin::pg {
namespace {

// SQLSTATEs that mean "this server cannot take our transaction now": shutting down, starting
// up, or read-only (a standby, or a primary being demoted). The next server in the list may.
bool serverGone(const char* state) {
  if (!state) return false;
  const std::string_view s(state);
  return s == "57P01" || s == "57P02" || s == "57P03" || s == "25006" || s.rfind("08", 0) == 0;
}

std::string firstWords(const std::string& sql) {
  std::string w = sql.substr(0, 60);
  for (char& c : w)
    if (c == '\n') c = ' ';
  return w + (sql.size() > 60 ? "..." : "");
}

}  // namespace

Rows::Rows(pg_result* result) : result_(result) {}
Rows::~Rows() {
  if (result_) PQclear(result_);
}
Rows::Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
int Rows::size() const { return PQntuples(result_); }
bool Rows::isNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
std::string Rows::text(int row, int column) const { return PQgetvalue(result_, row, column); }
int64_t Rows::integer(int row, int column) const { return std::stoll(PQgetvalue(result_, row, column)); }
int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_);
  return n && *n ? std::stoll(n) : 0;
}

Result<Rows> Tx::exec(const std::string& sql, const std::vector<Param>& params) { return connection_.run(sql, params); }

Connection::Connection(std::string conninfo, Clock& clock, Micros patience)
    : conninfo_(std::move(conninfo)), clock_(clock), patience_(patience) {}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& conninfo, Clock& clock, Micros patience) {
  // A string libpq cannot read is a mistake in the configuration, not a server away. Its
  // explanation quotes the value it stumbled on, which may be the password: quotes are blanked.
  char* error = nullptr;
  if (PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error)) {
    PQconninfoFree(parsed);
  } else {
    std::string why = error ? trim(error) : "out of memory";
    PQfreemem(error);
    const std::string blank = "\"…\"";
    for (size_t open = why.find('"'); open != std::string::npos; open = why.find('"', open + blank.size())) {
      const size_t close = why.find('"', open + 1);
      why.replace(open, close == std::string::npos ? std::string::npos : close - open + 1, blank);
    }
    return Status::invalid("the PostgreSQL connection string cannot be read: " + why);
  }
  std::unique_ptr<Connection> c(new Connection(conninfo, clock, patience));
  TOCSIN_RETURN_IF_ERROR(c->connect());
  return c;
}

bool Connection::lost() const { return !conn_ || PQstatus(conn_) != CONNECTION_OK; }

Status Connection::connect() {
  const MonoTime deadline = clock_.monotonic() + patience_;
  Interrupt never;
  std::string why;
  while (true) {
    if (conn_) PQfinish(conn_);
    conn_ = PQconnectdb(conninfo_.c_str());
    // The server's notices ("already exists, skipping") are not for the operator's terminal.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    // Statements never wait forever on a lock another node holds.
    if (PQstatus(conn_) == CONNECTION_OK && run("SET lock_timeout = '10s'").ok()) {
      if (connectedOnce_) ++reconnects_;
      connectedOnce_ = true;
      ++sessions_;
      return Status::okStatus();
    }
    why = trim(PQerrorMessage(conn_));
    if (clock_.monotonic() >= deadline) break;
    clock_.sleepFor(std::chrono::milliseconds(200), never);
  }
  return Status::unavailable("cannot reach a PostgreSQL server that accepts writes (" + why + ")");
}

Result<Rows> Connection::run(const std::string& sql, const std::vector<Param>& params) {
  if (lost()) return Status::unavailable("the connection to PostgreSQL is lost");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Without parameters, a text may hold several statements (a migration step).
  Rows rows(params.empty() ? PQexec(conn_, sql.c_str())
                           : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                          nullptr, nullptr, 0));
  const ExecStatusType s = PQresultStatus(rows.result_);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return rows;
  const std::string message = trim(PQresultErrorMessage(rows.result_));
  const char* state = PQresultErrorField(rows.result_, PG_DIAG_SQLSTATE);
  if (serverGone(state)) gone_ = true;
  if (lost() || serverGone(state))
    return Status::unavailable("PostgreSQL at " + server() + " went away during '" + firstWords(sql) + "': " + message);
  return Status::internal("'" + firstWords(sql) + "' failed: " + message);
}

Status Connection::transaction(const std::function<Status(Tx&)>& body, bool again) {
  const MonoTime deadline = clock_.monotonic() + patience_;
  while (true) {
    if (lost()) TOCSIN_RETURN_IF_ERROR(connect());
    gone_ = false;
    Status failed = run("BEGIN ISOLATION LEVEL READ COMMITTED").status();
    if (failed.ok()) {
      Tx tx(*this);
      try {
        failed = body(tx);
      } catch (...) {
        // A body may throw (an API error raised mid-transaction): nothing of it is committed.
        (void)run("ROLLBACK");
        throw;
      }
      if (failed.ok()) {
        const std::string where = server();
        auto commit = run("COMMIT");
        if (commit.ok() && std::string_view(PQcmdStatus(commit->result_)) == "COMMIT") return Status::okStatus();
        if (commit.ok()) return Status::failedPrecondition("PostgreSQL rolled the transaction back");
        if (commit.status().code() == StatusCode::kUnavailable)
          return Status::unavailable("the connection to " + where +
                                     " was lost while COMMIT was on its way: the transaction may or may not have "
                                     "been committed");
        return commit.status();
      }
    }
    // A server that went away before COMMIT: nothing was committed; start again on the next
    // one. Anything else is the body's own error, after a rollback.
    if (gone_ || lost()) {
      gone_ = false;
      if (!lost()) {
        PQfinish(conn_);
        conn_ = nullptr;
      }
      if (!again)
        return Status::unavailable("PostgreSQL went away before the transaction committed; nothing was committed (" +
                                   failed.message() + ")");
      if (clock_.monotonic() >= deadline) return failed;
      continue;
    }
    (void)run("ROLLBACK");
    return failed;
  }
}

Result<Rows> Connection::exec(const std::string& sql, const std::vector<Param>& params) {
  std::optional<Rows> out;
  TOCSIN_RETURN_IF_ERROR(transaction([&](Tx& tx) -> Status {
    TOCSIN_ASSIGN_OR_RETURN(Rows rows, tx.exec(sql, params));
    out.emplace(std::move(rows));
    return Status::okStatus();
  }));
  return std::move(*out);
}

std::string Connection::describe() const {
  // Keeps every keyword but the password (a key=value string; a URI is shown without it too).
  std::string out;
  PQconninfoOption* options = PQconninfoParse(conninfo_.c_str(), nullptr);
  if (!options) return "postgresql (an unreadable connection string)";
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val || std::string_view(o->keyword) == "password") continue;
    out += (out.empty() ? "" : " ") + std::string(o->keyword) + "=" + o->val;
  }
  PQconninfoFree(options);
  return "postgresql: " + out;
}

std::string Connection::server() const {
  if (!conn_) return "(not connected)";
  return std::string(PQhost(conn_)) + ":" + PQport(conn_);
}

Result<int> schemaVersion(Connection& c) {
  TOCSIN_ASSIGN_OR_RETURN(Rows rows, c.exec("SELECT version FROM tocsin_schema WHERE id = 1"));
  return rows.size() == 1 ? static_cast<int>(rows.integer(0, 0)) : 0;
}

Status migrate(Connection& c, const std::vector<Migration>& steps) {
  if (steps.empty()) return Status::internal("no migrations");
  const int latest = steps.back().version;
  // Nodes starting together: one creates the version table, under a lock held to its commit.
  TOCSIN_RETURN_IF_ERROR(c.transaction([](Tx& tx) -> Status {
    TOCSIN_RETURN_IF_ERROR(tx.exec("SELECT pg_advisory_xact_lock(1413698353)").status());  // "TCS1"
    TOCSIN_RETURN_IF_ERROR(tx.exec("CREATE TABLE IF NOT EXISTS tocsin_schema (id integer PRIMARY KEY CHECK (id = 1), "
                                   "version integer NOT NULL)").status());
    return tx.exec("INSERT INTO tocsin_schema VALUES (1, 0) ON CONFLICT (id) DO NOTHING").status();
  }));
  for (const Migration& m : steps) {
    TOCSIN_RETURN_IF_ERROR(c.transaction([&](Tx& tx) -> Status {
      TOCSIN_ASSIGN_OR_RETURN(Rows rows, tx.exec("SELECT version FROM tocsin_schema WHERE id = 1 FOR UPDATE"));
      const int64_t version = rows.integer(0, 0);
      if (version > latest)
        return Status::failedPrecondition("the PostgreSQL store has schema version " + std::to_string(version) +
                                          ", made by a newer Tocsin; this build understands versions up to " +
                                          std::to_string(latest) + ". Refusing to use it: a downgrade is not supported.");
      if (version >= m.version) return Status::okStatus();  // another node applied it
      TOCSIN_RETURN_IF_ERROR(tx.exec(m.sql).status());
      return tx.exec("UPDATE tocsin_schema SET version = $1 WHERE id = 1", {std::to_string(m.version)}).status();
    }));
  }
  return Status::okStatus();
}

}  // namespace tocsin::pg
