#include "common/store/sqlite_repositories.h"

#include <algorithm>

namespace tocsin::sql {

Digest digestFromBlob(const std::vector<uint8_t>& blob) {
  Digest d{};
  // A blob of the wrong size (tampering) yields a digest that cannot match any real MAC.
  std::copy_n(blob.begin(), std::min(blob.size(), d.size()), d.begin());
  if (blob.size() != d.size()) d[0] ^= 0xFF;
  return d;
}

namespace {

constexpr const char* kColumns = "seq, recorded_at, actor, action, object, reason, prev_mac, mac";

AuditEntry readEntry(const Statement& st) {
  AuditEntry e;
  e.seq = st.getInt(0);
  e.recordedAt = fromMicros(st.getInt(1));
  e.actor = st.getText(2);
  e.action = st.getText(3);
  e.object = st.getText(4);
  e.reason = st.getText(5);
  e.prevMac = digestFromBlob(st.getBlob(6));
  e.mac = digestFromBlob(st.getBlob(7));
  return e;
}

}  // namespace

PurgeGate::PurgeGate(Database& db) : db_(db) { db_.cached("UPDATE purge_gate SET open = 1").run(); }
PurgeGate::~PurgeGate() {
  try {
    db_.cached("UPDATE purge_gate SET open = 0").run();
  } catch (const StoreFailure&) {
    // The enclosing transaction fails and rolls back, which closes the gate as well.
  }
}

std::optional<AuditEntry> SqliteAudit::last() {
  static const std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY seq DESC LIMIT 1";
  Statement& st = db_.cached(sql);
  if (!st.step()) return std::nullopt;
  return readEntry(st);
}

void SqliteAudit::append(const AuditEntry& e) {
  Statement& st = db_.cached(
      "INSERT INTO audit_log (seq, recorded_at, actor, action, object, reason, prev_mac, mac) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.bind(1, e.seq)
      .bind(2, toMicros(e.recordedAt))
      .bind(3, e.actor)
      .bind(4, e.action)
      .bind(5, e.object)
      .bind(6, e.reason)
      .bindBlob(7, e.prevMac.data(), e.prevMac.size())
      .bindBlob(8, e.mac.data(), e.mac.size());
  st.run();
}

void SqliteAudit::forEach(const std::function<void(const AuditEntry&)>& visit) {
  // Not cached: verification may run while other statements are in use.
  Statement st(db_.handle(), std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY seq");
  while (st.step()) visit(readEntry(st));
}

int64_t SqliteAudit::count() { return db_.queryInt("SELECT count(*) FROM audit_log"); }

void SqliteAudit::page(int64_t afterSeq, int64_t limit, const std::function<void(const AuditEntry&)>& visit) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2";
  Statement& st = db_.cached(sql);
  st.bind(1, afterSeq).bind(2, limit);
  while (st.step()) visit(readEntry(st));
}

std::optional<AuditCheckpoint> SqliteAudit::checkpoint() {
  Statement& st = db_.cached("SELECT seq, mac, tag FROM audit_checkpoint WHERE id = 1");
  if (!st.step()) return std::nullopt;
  return AuditCheckpoint{st.getInt(0), digestFromBlob(st.getBlob(1)), digestFromBlob(st.getBlob(2))};
}

void SqliteAudit::setCheckpoint(const AuditCheckpoint& c) {
  Statement& st = db_.cached("INSERT OR REPLACE INTO audit_checkpoint (id, seq, mac, tag) VALUES (1, ?1, ?2, ?3)");
  st.bind(1, c.seq).bindBlob(2, c.mac.data(), c.mac.size()).bindBlob(3, c.tag.data(), c.tag.size());
  st.run();
}

std::optional<AuditEntry> SqliteAudit::lastBefore(Timestamp cutoff) {
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 " FROM audit_log WHERE recorded_at < ?1 ORDER BY seq DESC LIMIT 1";
  Statement& st = db_.cached(sql);
  st.bind(1, toMicros(cutoff));
  if (!st.step()) return std::nullopt;
  return readEntry(st);
}

int64_t SqliteAudit::deleteThrough(int64_t seq) {
  PurgeGate gate(db_);
  Statement& st = db_.cached("DELETE FROM audit_log WHERE seq <= ?1");
  st.bind(1, seq);
  st.run();
  return db_.changes();
}

bool SqliteSuppressions::contains(const Digest& fp) {
  Statement& st = db_.cached("SELECT 1 FROM suppressions WHERE fingerprint = ?1");
  st.bindBlob(1, fp.data(), fp.size());
  return st.step();
}

bool SqliteSuppressions::add(const Suppression& s) {
  Statement& st = db_.cached(
      "INSERT OR IGNORE INTO suppressions (fingerprint, key_version, reason, created_at) VALUES (?1, ?2, ?3, ?4)");
  st.bindBlob(1, s.fingerprint.data(), s.fingerprint.size())
      .bind(2, s.keyVersion)
      .bind(3, s.reason)
      .bind(4, toMicros(s.createdAt));
  st.run();
  return db_.changes() > 0;
}

bool SqliteSuppressions::remove(const Digest& fp) {
  Statement& st = db_.cached("DELETE FROM suppressions WHERE fingerprint = ?1");
  st.bindBlob(1, fp.data(), fp.size());
  st.run();
  return db_.changes() > 0;
}

int64_t SqliteSuppressions::count() { return db_.queryInt("SELECT count(*) FROM suppressions"); }

}  // namespace tocsin::sql
