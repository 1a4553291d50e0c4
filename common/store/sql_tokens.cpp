// The operator API's tokens: hashes only, revoked by stamping, never deleted (the audit log
// names them).
#include <sstream>

#include "common/store/repositories.h"

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

int64_t SqlTokens::insert(const ApiToken& t) {
  Statement& st = db_.cached(
      "INSERT INTO api_tokens (name, role, shop, token_hash, allow_from, created_by, created_at, person) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
  std::optional<std::string> allow;
  for (const auto& a : t.allowFrom) allow = allow ? *allow + " " + a : a;
  st.bind(1, t.name).bind(2, t.role).bind(3, t.shop).bind(4, t.tokenHash).bind(5, allow).bind(6, t.createdBy);
  st.bind(7, toMicros(t.createdAt)).bind(8, t.person);
  return insertedId(st).value_or(0);
}

std::optional<ApiToken> SqlTokens::findByHash(const std::string& tokenHash) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM api_tokens WHERE token_hash = ?1");
  st.bind(1, tokenHash);
  if (!st.step()) return std::nullopt;
  return readToken(st);
}

std::optional<ApiToken> SqlTokens::findByName(const std::string& name) {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM api_tokens WHERE name = ?1");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return readToken(st);
}

void SqlTokens::revoke(int64_t id, Timestamp at) {
  Statement& st = db_.cached("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  st.bind(1, id).bind(2, toMicros(at));
  st.run();
}

std::vector<ApiToken> SqlTokens::list() {
  Statement& st = db_.cached(std::string("SELECT ") + kColumns + " FROM api_tokens ORDER BY id");
  std::vector<ApiToken> out;
  while (st.step()) out.push_back(readToken(st));
  return out;
}

namespace {

std::optional<Timestamp> optionalTime(const Statement& st, int col) {
  if (auto v = st.getOptionalInt(col)) return fromMicros(*v);
  return std::nullopt;
}

std::optional<int64_t> micros(const std::optional<Timestamp>& t) {
  if (t) return toMicros(*t);
  return std::nullopt;
}

constexpr const char* kKioskColumns =
    "SELECT id, shop, pairing_hash, pairing_expires, pairing_attempts, token_name, created_by, created_at, paired_at, "
    "revoked_at, last_seen, version, waiting FROM kiosks ";

KioskRecord readKiosk(const Statement& st) {
  KioskRecord k;
  k.id = st.getText(0);
  k.shop = st.getText(1);
  k.pairingHash = st.getOptionalText(2);
  k.pairingExpires = optionalTime(st, 3);
  k.pairingAttempts = static_cast<int>(st.getInt(4));
  k.tokenName = st.getOptionalText(5);
  k.createdBy = st.getText(6);
  k.createdAt = fromMicros(st.getInt(7));
  k.pairedAt = optionalTime(st, 8);
  k.revokedAt = optionalTime(st, 9);
  k.lastSeen = optionalTime(st, 10);
  k.version = st.getOptionalText(11);
  k.waiting = st.getInt(12);
  return k;
}

}  // namespace

void SqlTokens::putKiosk(const KioskRecord& k) {
  Statement& st = db_.cached(
      "INSERT INTO kiosks (id, shop, pairing_hash, pairing_expires, pairing_attempts, token_name, "
      "created_by, created_at, paired_at, revoked_at, last_seen, version, waiting) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)" +
      replaceOnConflict("id", "id, shop, pairing_hash, pairing_expires, pairing_attempts, token_name, created_by, "
                              "created_at, paired_at, revoked_at, last_seen, version, waiting"));
  st.bind(1, k.id)
      .bind(2, k.shop)
      .bind(3, k.pairingHash)
      .bind(4, micros(k.pairingExpires))
      .bind(5, static_cast<int64_t>(k.pairingAttempts))
      .bind(6, k.tokenName)
      .bind(7, k.createdBy)
      .bind(8, toMicros(k.createdAt))
      .bind(9, micros(k.pairedAt))
      .bind(10, micros(k.revokedAt))
      .bind(11, micros(k.lastSeen))
      .bind(12, k.version)
      .bind(13, k.waiting);
  st.run();
}

std::optional<KioskRecord> SqlTokens::findKiosk(const std::string& id) {
  Statement& st = db_.cached(std::string(kKioskColumns) + "WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  KioskRecord k = readKiosk(st);
  st.reset();
  return k;
}

std::vector<KioskRecord> SqlTokens::listKiosks() {
  const auto st = db_.prepare(std::string(kKioskColumns) + "ORDER BY shop, id");
  std::vector<KioskRecord> out;
  while (st->step()) out.push_back(readKiosk(*st));
  return out;
}

void SqlTokens::noteKioskContact(const std::string& tokenName, const std::string& version, int64_t waiting,
                                    Timestamp at) {
  Statement& st = db_.cached("UPDATE kiosks SET last_seen = ?2, version = ?3, waiting = ?4 WHERE token_name = ?1");
  st.bind(1, tokenName).bind(2, toMicros(at)).bind(3, version).bind(4, waiting);
  st.run();
}

}  // namespace tocsin::sql
