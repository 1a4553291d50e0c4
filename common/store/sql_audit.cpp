#include "common/store/repositories.h"

#include <algorithm>

#include "common/store/row_digest.h"

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

std::optional<AuditEntry> SqlAudit::last() {
  static const std::string sql = std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY seq DESC LIMIT 1";
  Statement& st = db_.cached(sql);
  if (!st.step()) return std::nullopt;
  return readEntry(st);
}

void SqlAudit::append(const AuditEntry& e) {
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

void SqlAudit::forEach(const std::function<void(const AuditEntry&)>& visit) {
  // Not cached: verification may run while other statements are in use.
  const auto st = db_.prepare(std::string("SELECT ") + kColumns + " FROM audit_log ORDER BY seq");
  while (st->step()) visit(readEntry(*st));
}

int64_t SqlAudit::count() { return db_.queryInt("SELECT count(*) FROM audit_log"); }

void SqlAudit::page(int64_t afterSeq, int64_t limit, const std::function<void(const AuditEntry&)>& visit) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2";
  Statement& st = db_.cached(sql);
  st.bind(1, afterSeq).bind(2, limit);
  while (st.step()) visit(readEntry(st));
}

std::optional<AuditCheckpoint> SqlAudit::checkpoint() {
  Statement& st = db_.cached("SELECT seq, mac, tag FROM audit_checkpoint WHERE id = 1");
  if (!st.step()) return std::nullopt;
  return AuditCheckpoint{st.getInt(0), digestFromBlob(st.getBlob(1)), digestFromBlob(st.getBlob(2))};
}

void SqlAudit::setCheckpoint(const AuditCheckpoint& c) {
  Statement& st = db_.cached("INSERT INTO audit_checkpoint (id, seq, mac, tag) VALUES (1, ?1, ?2, ?3) "
                             "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, tag = excluded.tag");
  st.bind(1, c.seq).bindBlob(2, c.mac.data(), c.mac.size()).bindBlob(3, c.tag.data(), c.tag.size());
  st.run();
}

std::optional<AuditEntry> SqlAudit::lastBefore(Timestamp cutoff) {
  static const std::string sql = std::string("SELECT ") + kColumns +
                                 " FROM audit_log WHERE recorded_at < ?1 ORDER BY seq DESC LIMIT 1";
  Statement& st = db_.cached(sql);
  st.bind(1, toMicros(cutoff));
  if (!st.step()) return std::nullopt;
  return readEntry(st);
}

int64_t SqlAudit::deleteThrough(int64_t seq) {
  PurgeGate gate(db_);
  Statement& st = db_.cached("DELETE FROM audit_log WHERE seq <= ?1");
  st.bind(1, seq);
  st.run();
  return db_.changes();
}

void SqlAudit::forEachProvenRow(const std::function<void(const ProvenRow&)>& visit) {
  {
    const auto st = db_.prepare(std::string("SELECT ") + kConsentEventColumns + " FROM consent_events e ORDER BY e.id");
    while (st->step()) {
      const ConsentEvent e = readConsentEvent(*st);
      ProvenRow row = provenRow(e);
      // An action the schema does not know gets a digest of its own (it cannot match).
      const std::string action = st->getText(3);
      if (!parseConsentAction(action)) row.digest = "unknown-action:" + action;
      row.label = "contact:" + std::to_string(e.contactId) + " " + e.purpose + " " + action + " at " + formatUtc(e.recordedAt);
      visit(row);
    }
  }
  {
    const auto st = db_.prepare(std::string("SELECT ") + kConsentTextColumns + " FROM consent_texts ORDER BY id");
    while (st->step()) {
      const ConsentText t = readConsentText(*st);
      ProvenRow row = provenRow(t);
      // A body that no longer hashes to its recorded SHA-256 is an edit even if both were changed.
      if (toHex(sha256(t.body)) != t.sha256) row.digest = "body-does-not-match-its-sha256";
      row.label = "text " + t.textId + "@" + std::to_string(t.version) + "/" + t.language;
      visit(row);
    }
  }
  {
    const auto st = db_.prepare("SELECT fingerprint, key_version, reason, created_at FROM suppressions");
    while (st->step()) {
      Suppression s;
      s.fingerprint = digestFromBlob(st->getBlob(0));
      s.keyVersion = st->getInt(1);
      s.reason = st->getText(2);
      s.createdAt = fromMicros(st->getInt(3));
      ProvenRow row = provenRow(s);
      row.label = "suppression (" + s.reason + ") of " + formatUtc(s.createdAt);
      visit(row);
    }
  }
}

std::vector<AuditRepository::StandingMismatch> SqlAudit::standingMismatches() {
  // The standing the history gives: the latest event's action, except that a new grant while a
  // confirmed consent stands leaves it confirmed (as the consent_state triggers keep it).
  const auto st = db_.prepare(R"sql(
    WITH derived AS (
      SELECT e.contact_id, e.purpose,
             CASE WHEN e.action = 'granted' AND EXISTS (
                    SELECT 1 FROM consent_events c WHERE c.contact_id = e.contact_id AND c.purpose = e.purpose
                    AND c.action = 'confirmed' AND c.id < e.id AND NOT EXISTS (
                      SELECT 1 FROM consent_events w WHERE w.contact_id = e.contact_id AND w.purpose = e.purpose
                      AND w.action = 'withdrawn' AND w.id > c.id))
                  THEN 'confirmed' ELSE e.action END AS state
      FROM consent_events e
      WHERE e.id = (SELECT max(id) FROM consent_events x WHERE x.contact_id = e.contact_id AND x.purpose = e.purpose))
    SELECT coalesce(d.contact_id, s.contact_id), coalesce(d.purpose, s.purpose), coalesce(s.state, ''), coalesce(d.state, '')
    FROM derived d FULL OUTER JOIN consent_state s ON s.contact_id = d.contact_id AND s.purpose = d.purpose
    WHERE d.state IS DISTINCT FROM s.state ORDER BY 1, 2)sql");
  std::vector<StandingMismatch> out;
  while (st->step()) out.push_back({st->getInt(0), st->getText(1), st->getText(2), st->getText(3)});
  return out;
}

bool SqlAudit::adoptionPending() { return db_.queryInt("SELECT pending FROM proof_adoption") != 0; }
void SqlAudit::adoptionDone() { db_.exec("UPDATE proof_adoption SET pending = 0"); }

std::vector<KeyRecord> SqlAudit::keyRecords() {
  const auto st = db_.prepare("SELECT name, fingerprint, public_key, created_at, retired_at FROM store_keys ORDER BY name, created_at");
  std::vector<KeyRecord> out;
  while (st->step()) {
    KeyRecord k;
    k.name = st->getText(0);
    k.fingerprint = st->getText(1);
    k.publicKey = st->getOptionalText(2);
    k.createdAt = fromMicros(st->getInt(3));
    if (auto r = st->getOptionalInt(4)) k.retiredAt = fromMicros(*r);
    out.push_back(std::move(k));
  }
  return out;
}

void SqlAudit::addKeyRecord(const KeyRecord& k) {
  Statement& st = db_.cached(
      "INSERT INTO store_keys (name, fingerprint, public_key, created_at, retired_at) VALUES (?1, ?2, ?3, ?4, NULL)");
  st.bind(1, k.name).bind(2, k.fingerprint).bind(3, k.publicKey).bind(4, toMicros(k.createdAt));
  st.run();
}

void SqlAudit::retireKeyRecord(const std::string& name, const std::string& fingerprint, Timestamp at) {
  Statement& st = db_.cached("UPDATE store_keys SET retired_at = ?3 WHERE name = ?1 AND fingerprint = ?2");
  st.bind(1, name).bind(2, fingerprint).bind(3, toMicros(at));
  st.run();
}

bool SqlAudit::isBlank() {
  return db_.queryInt(
             "SELECT NOT EXISTS (SELECT 1 FROM audit_log) AND NOT EXISTS (SELECT 1 FROM audit_checkpoint) AND "
             "NOT EXISTS (SELECT 1 FROM contacts) AND NOT EXISTS (SELECT 1 FROM consent_events) AND "
             "NOT EXISTS (SELECT 1 FROM suppressions) AND NOT EXISTS (SELECT 1 FROM store_keys)") != 0;
}

bool SqlSuppressions::contains(const Digest& fp) {
  Statement& st = db_.cached("SELECT 1 FROM suppressions WHERE fingerprint = ?1");
  st.bindBlob(1, fp.data(), fp.size());
  return st.step();
}

std::set<Digest> SqlSuppressions::containing(const std::vector<Digest>& fingerprints) {
  // Blobs in fixed-size groups: the same statement every time, the unused places NULL (which
  // matches nothing).
  constexpr size_t kGroup = 32;
  static const std::string sql = [] {
    std::string places;
    for (size_t i = 1; i <= kGroup; ++i) places += (i > 1 ? ", ?" : "?") + std::to_string(i);
    return "SELECT fingerprint FROM suppressions WHERE fingerprint IN (" + places + ")";
  }();
  std::set<Digest> out;
  for (size_t from = 0; from < fingerprints.size(); from += kGroup) {
    Statement& st = db_.cached(sql);
    for (size_t i = 0; i < kGroup; ++i) {
      const int place = static_cast<int>(i + 1);
      if (from + i < fingerprints.size()) st.bindBlob(place, fingerprints[from + i].data(), fingerprints[from + i].size());
      else st.bindNull(place);
    }
    while (st.step()) {
      const std::vector<uint8_t> found = st.getBlob(0);
      Digest d{};
      if (found.size() == d.size()) {
        std::copy(found.begin(), found.end(), d.begin());
        out.insert(d);
      }
    }
  }
  return out;
}

bool SqlSuppressions::add(const Suppression& s) {
  Statement& st = db_.cached(
      "INSERT INTO suppressions (fingerprint, key_version, reason, created_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  st.bindBlob(1, s.fingerprint.data(), s.fingerprint.size())
      .bind(2, s.keyVersion)
      .bind(3, s.reason)
      .bind(4, toMicros(s.createdAt));
  st.run();
  if (db_.changes() == 0) return false;
  proven_.push_back({provenRow(s), false, {}});
  return true;
}

bool SqlSuppressions::remove(const Digest& fp) {
  Statement& st = db_.cached("DELETE FROM suppressions WHERE fingerprint = ?1");
  st.bindBlob(1, fp.data(), fp.size());
  st.run();
  if (db_.changes() == 0) return false;
  proven_.push_back({{kProvenSuppressions, suppressionKey(fp), {}, {}}, true, "signed up again"});
  return true;
}

int64_t SqlSuppressions::count() { return db_.queryInt("SELECT count(*) FROM suppressions"); }

}  // namespace tocsin::sql
