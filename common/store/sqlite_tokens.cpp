// The operator API's tokens: hashes only, revoked by stamping, never deleted (the audit log
// names them).
#include <sstream>

#include "common/store/sqlite_repositories.h"

namespace tocsin::sql {
namespace {

constexpr const char* kColumns = "id, name, role, shop, token_hash, allow_from, created_by, created_at, revoked_at, person";

ApiToken readToken(Statement& st) {
  ApiToken t;
  t.id = st.getInt(0);
  t.name = st.getText(1);
  t.role = st.getText(2);
  t.shop = st.getOptionalText(3);
  t.tokenHash = st.getText(4);
  if (auto allow = st.getOptionalText(5)) {
    std::istringstream words(*allow);
    for (std::string w; words >> w;) t.allowFrom.push_back(w);
  }
  t.createdBy = st.getText(6);
  t.createdAt = fromMicros(st.getInt(7));
  if (auto r = st.getOptionalInt(8)) t.revokedAt = fromMicros(*r);
  t.person = st.getOptionalText(9);
  return t;
}

}  // namespace

int64_t SqliteTokens::insert(const ApiToken& t) {
  Statement& st = db_.cached(
      "INSERT INTO api_tokens (name, role, shop, token_hash, allow_from, created_by, created_at, person) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  std::optional<std::string> allow;
  for (const auto& a : t.allowFrom) allow = allow ? *allow + " " + a : a;
  st.bind(1, t.name).bind(2, t.role).bind(3, t.shop).bind(4, t.tokenHash).bind(5, allow).bind(6, t.createdBy);
  st.bind(7, toMicros(t.createdAt)).bind(8, t.person);
  st.run();
  return db_.lastInsertRowid();
}

std::optional<ApiToken> SqliteTokens::findByHash(const std::string& tokenHash) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM api_tokens WHERE token_hash = ?1");
  st.bind(1, tokenHash);
  if (!st.step()) return std::nullopt;
  return readToken(st);
}

std::optional<ApiToken> SqliteTokens::findByName(const std::string& name) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM api_tokens WHERE name = ?1");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return readToken(st);
}

void SqliteTokens::revoke(int64_t id, Timestamp at) {
  Statement& st = db_.cached("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  st.bind(1, id).bind(2, toMicros(at));
  st.run();
}

std::vector<ApiToken> SqliteTokens::list() {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM api_tokens ORDER BY id");
  std::vector<ApiToken> out;
  while (st.step()) out.push_back(readToken(st));
  return out;
}

}  // namespace tocsin::sql
