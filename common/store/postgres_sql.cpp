#include "common/store/postgres_sql.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

#include "common/base/text.h"
#include "common/crypto/hash.h"

namespace tocsin::sql {
namespace {

constexpr unsigned kInt8 = 20, kFloat8 = 701, kText = 25, kBytea = 17;

Status classify(const char* state, const std::string& message, bool lost) {
  const std::string_view s = state ? state : "";
  if (lost || s == "57P01" || s == "57P02" || s == "57P03" || s == "25006" || s.rfind("08", 0) == 0)
    return Status::unavailable("PostgreSQL went away: " + message);
  if (s == "55P03" || s == "40001" || s == "40P01")
    return Status::unavailable("the store is busy (another writer holds its lock): " + message);
  if (s == "53100") return Status::exhausted("the disk holding the store is full: " + message);
  if (s.rfind("23", 0) == 0) return Status::failedPrecondition(message);
  if (s == "XX001" || s == "XX002") return Status::dataLoss("the store's data is damaged: " + message);
  if (s.rfind("28", 0) == 0 || s == "42501") return Status::permissionDenied(message);
  return Status::internal(message);
}

}  // namespace

std::string numberedParameters(std::string_view sql, int& count, std::vector<bool>* used) {
  std::string out;
  out.reserve(sql.size() + 8);
  count = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    int n = 0;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = count + 1;  // a bare ?: one more than the largest so far
    if (n > count) count = n;
    if (used) {
      if (used->size() < static_cast<size_t>(n)) used->resize(static_cast<size_t>(n), false);
      (*used)[static_cast<size_t>(n - 1)] = true;
    }
    out += '$' + std::to_string(n);
    i = j - 1;
  }
  return out;
}

PgStatement::PgStatement(PgDatabase& db, std::string_view sql, bool cacheable)
    : db_(db), original_(sql), cacheable_(cacheable) {
  sql_ = numberedParameters(sql, params_, &used_);
  used_.resize(static_cast<size_t>(params_), false);
  kinds_.assign(static_cast<size_t>(params_), Kind::kNull);
  values_.assign(static_cast<size_t>(params_), std::string());
}

PgStatement::~PgStatement() { clearResult(); }

void PgStatement::clearResult() {
  if (result_) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  rows_ = 0;
}

void PgStatement::put(int index, Kind kind, std::string value) {
  if (index < 1 || index > params_)
    throw StoreFailure(Status::internal("parameter " + std::to_string(index) + " of '" + original_.substr(0, 60) +
                                        "' does not exist"));
  clearResult();
  kinds_[static_cast<size_t>(index - 1)] = kind;
  values_[static_cast<size_t>(index - 1)] = std::move(value);
}

Statement& PgStatement::bindInt(int index, int64_t value) {
  put(index, Kind::kInt, std::to_string(value));
  return *this;
}
Statement& PgStatement::bindDouble(int index, double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  put(index, Kind::kDouble, buffer);
  return *this;
}
Statement& PgStatement::bindText(int index, std::string_view text) {
  put(index, Kind::kText, std::string(text));
  return *this;
}
Statement& PgStatement::bindBytes(int index, const void* data, size_t size) {
  put(index, Kind::kBytes, "\\x" + toHex(static_cast<const uint8_t*>(data), size));
  return *this;
}
Statement& PgStatement::bindNothing(int index) {
  put(index, Kind::kNull, std::string());
  return *this;
}

void PgStatement::execute() {
  clearResult();
  pg_conn* conn = db_.connection().handle();
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    db_.connection().noteServerGone();
    throw StoreFailure(Status::unavailable("the connection to PostgreSQL is lost"));
  }
  std::vector<const char*> values(static_cast<size_t>(params_));
  std::vector<unsigned> types(static_cast<size_t>(params_));
  std::string signature(static_cast<size_t>(params_), 'n');
  for (size_t i = 0; i < values.size(); ++i) {
    signature[i] = static_cast<char>(kinds_[i]);
    values[i] = kinds_[i] == Kind::kNull ? nullptr : values_[i].c_str();
    switch (kinds_[i]) {
      case Kind::kInt: types[i] = kInt8; break;
      case Kind::kDouble: types[i] = kFloat8; break;
      case Kind::kText: types[i] = kText; break;
      case Kind::kBytes: types[i] = kBytea; break;
      case Kind::kNull: types[i] = 0; break;
    }
    // A number the text skips (SQLite allows it) still needs a type.
    if (!used_[i]) types[i] = kText;
  }
  pg_result* r = nullptr;
  if (!cacheable_) {
    r = PQexecParams(conn, sql_.c_str(), params_, types.data(), values.data(), nullptr, nullptr, 0);
  } else {
    if (session_ != db_.connection().sessions()) {
      prepared_.clear();  // a new session knows none of them
      session_ = db_.connection().sessions();
    }
    auto it = prepared_.find(signature);
    if (it == prepared_.end()) {
      const std::string name = db_.nextStatementName();
      pg_result* p = PQprepare(conn, name.c_str(), sql_.c_str(), params_, types.data());
      if (PQresultStatus(p) != PGRES_COMMAND_OK) db_.fail(p, original_);
      PQclear(p);
      it = prepared_.emplace(signature, name).first;
    }
    r = PQexecPrepared(conn, it->second.c_str(), params_, values.data(), nullptr, nullptr, 0);
  }
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) db_.fail(r, original_);
  result_ = r;
  rows_ = PQntuples(r);
  row_ = -1;
  const char* affected = PQcmdTuples(r);
  if (affected && *affected) db_.noteChanges(std::strtoll(affected, nullptr, 10));
}

bool PgStatement::step() {
  if (!result_) execute();
  if (++row_ < rows_) return true;
  clearResult();  // as SQLite: the next step runs the statement again
  return false;
}

void PgStatement::run() {
  execute();
  clearResult();
}

void PgStatement::reset() {
  clearResult();
  for (size_t i = 0; i < kinds_.size(); ++i) {
    kinds_[i] = Kind::kNull;
    values_[i].clear();
  }
}

const char* PgStatement::value(int col) const {
  if (!result_ || row_ < 0 || row_ >= rows_ || col < 0 || col >= PQnfields(result_))
    throw StoreFailure(Status::internal("column " + std::to_string(col) + " read outside a row of '" +
                                        original_.substr(0, 60) + "'"));
  return PQgetisnull(result_, row_, col) ? nullptr : PQgetvalue(result_, row_, col);
}

bool PgStatement::isNull(int col) const { return value(col) == nullptr; }

int64_t PgStatement::getInt(int col) const {
  const char* v = value(col);
  if (!v) return 0;
  if (v[0] == 't' && v[1] == 0) return 1;
  if (v[0] == 'f' && v[1] == 0) return 0;
  return std::strtoll(v, nullptr, 10);
}

double PgStatement::getDouble(int col) const {
  const char* v = value(col);
  return v ? std::strtod(v, nullptr) : 0.0;
}

std::string PgStatement::getText(int col) const {
  const char* v = value(col);
  return v ? std::string(v, static_cast<size_t>(PQgetlength(result_, row_, col))) : std::string();
}

std::vector<uint8_t> PgStatement::getBlob(int col) const {
  const char* v = value(col);
  if (!v) return {};
  // bytea in text form: \x followed by hex digits.
  const std::string_view text(v, static_cast<size_t>(PQgetlength(result_, row_, col)));
  auto bytes = text.starts_with("\\x") ? fromHex(text.substr(2)) : Result<Bytes>(Status::invalid("no \\x"));
  if (!bytes.ok()) throw StoreFailure(Status::internal("column " + std::to_string(col) + " is not bytea"));
  return std::move(bytes).value();
}

PgDatabase::PgDatabase(pg::Connection& connection) : connection_(connection), location_(connection.describe()) {}

PgDatabase::~PgDatabase() = default;

void PgDatabase::fail(pg_result* result, std::string_view sql) {
  const std::string message = trim(PQresultErrorMessage(result));
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  pg_conn* conn = connection_.handle();
  const bool lost = !conn || PQstatus(conn) != CONNECTION_OK;
  Status st = classify(state, message.empty() && conn ? trim(PQerrorMessage(conn)) : message, lost);
  if (st.code() == StatusCode::kUnavailable && !std::string_view(st.message()).starts_with("the store is busy"))
    connection_.noteServerGone();
  PQclear(result);
  std::string first(sql.substr(0, 60));
  for (char& c : first)
    if (c == '\n') c = ' ';
  throw StoreFailure(st.withContext("'" + first + (sql.size() > 60 ? "...'" : "'")));
}

void PgDatabase::exec(std::string_view sql) {
  pg_conn* conn = connection_.handle();
  if (!conn) throw StoreFailure(Status::unavailable("the connection to PostgreSQL is lost"));
  const std::string text(sql);
  pg_result* r = PQexec(conn, text.c_str());
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(r, sql);
  const char* affected = PQcmdTuples(r);
  if (affected && *affected) changes_ = std::strtoll(affected, nullptr, 10);
  PQclear(r);
}

Statement& PgDatabase::cached(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(sql), std::make_unique<PgStatement>(*this, sql, true)).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

std::unique_ptr<Statement> PgDatabase::prepare(std::string_view sql) {
  return std::make_unique<PgStatement>(*this, sql, false);
}

int64_t PgDatabase::queryInt(std::string_view sql) {
  PgStatement st(*this, sql, false);
  if (!st.step()) throw StoreFailure(Status::internal("no result for '" + std::string(sql.substr(0, 60)) + "'"));
  return st.getInt(0);
}

void PgDatabase::begin(bool write) {
  exec(write ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (write) exec(kWriterLock);
}

void PgDatabase::commit() { exec("COMMIT"); }

void PgDatabase::rollback() noexcept {
  if (pg_conn* conn = connection_.handle()) PQclear(PQexec(conn, "ROLLBACK"));
}

std::string PgDatabase::jsonListValues(int param) const {
  return "(SELECT json_array_elements_text(CAST(?" + std::to_string(param) + " AS json)))";
}

std::string PgDatabase::jsonIntegerValues(int param) const {
  return "(SELECT CAST(json_array_elements_text(CAST(?" + std::to_string(param) + " AS json)) AS bigint))";
}

std::string PgDatabase::integerIn(const std::string& column, int param) const {
  return column + " = ANY(ARRAY(SELECT CAST(json_array_elements_text(CAST(?" + std::to_string(param) +
         " AS json)) AS bigint)))";
}

std::string PgDatabase::jsonRecords(int param, const std::string& alias, const JsonColumns& columns) const {
  std::string types;
  for (const auto& [name, type] : columns) types += (types.empty() ? "" : ", ") + name + " " + type;
  return "json_to_recordset(CAST(?" + std::to_string(param) + " AS json)) AS " + alias + "(" + types + ")";
}

std::string PgDatabase::jsonText(const std::string& expr, const std::string& path) const {
  return "tocsin_json_text(" + expr + ", '" + path + "')";
}

std::string PgDatabase::utcDate(const std::string& microsExpr) const {
  return "to_char(to_timestamp((" + microsExpr + ") / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
}

}  // namespace tocsin::sql
