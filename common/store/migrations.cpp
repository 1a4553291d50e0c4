#include "common/store/migrations.h"

namespace tocsin::sql {
namespace {

// Version 1: contacts, consent, suppression, the audit chain, and the message history that
// retention trims.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE contacts (
  id          INTEGER PRIMARY KEY,
  phone       TEXT    NOT NULL UNIQUE,   -- E.164
  number_type TEXT    NOT NULL,
  region      TEXT    NOT NULL,
  name        TEXT,
  language    TEXT,
  time_zone   TEXT,
  zone        TEXT,
  latitude    REAL,
  longitude   REAL,
  source      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_by_zone ON contacts(zone) WHERE zone IS NOT NULL;

CREATE TABLE consent_texts (
  id         INTEGER PRIMARY KEY,
  text_id    TEXT    NOT NULL,
  language   TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  sha256     TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (text_id, language, version),
  UNIQUE (text_id, language, sha256)
) STRICT;
CREATE TRIGGER consent_texts_immutable BEFORE UPDATE ON consent_texts
BEGIN SELECT RAISE(ABORT, 'consent texts are immutable: a changed text is a new version'); END;

-- Opened only inside the retention and erasure procedures' own transactions.
CREATE TABLE purge_gate (open INTEGER NOT NULL) STRICT;
INSERT INTO purge_gate VALUES (0);

CREATE TABLE consent_events (
  id           INTEGER PRIMARY KEY,
  contact_id   INTEGER NOT NULL REFERENCES contacts(id),
  purpose      TEXT    NOT NULL,
  action       TEXT    NOT NULL CHECK (action IN ('granted', 'confirmed', 'withdrawn')),
  text_id      TEXT,
  text_version INTEGER,
  text_sha256  TEXT,
  language     TEXT    NOT NULL,
  channel      TEXT    NOT NULL,
  method       TEXT    NOT NULL,
  evidence     TEXT,
  recorded_at  INTEGER NOT NULL,
  CHECK (action <> 'granted' OR (text_id IS NOT NULL AND text_version IS NOT NULL AND text_sha256 IS NOT NULL))
) STRICT;
CREATE INDEX consent_events_by_contact ON consent_events(contact_id, purpose, action);
CREATE INDEX consent_events_by_time ON consent_events(recorded_at);
CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent events are append-only'); END;
CREATE TRIGGER consent_events_guarded_delete BEFORE DELETE ON consent_events
WHEN (SELECT open FROM purge_gate) = 0
BEGIN SELECT RAISE(ABORT, 'consent events are removed only by retention or erasure'); END;

CREATE TABLE suppressions (
  fingerprint BLOB    PRIMARY KEY,       -- HMAC-SHA256(suppression key, E.164)
  key_version INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX suppressions_by_time ON suppressions(created_at);

CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY,
  recorded_at INTEGER NOT NULL,
  actor       TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  object      TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  prev_mac    BLOB    NOT NULL,
  mac         BLOB    NOT NULL
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log(recorded_at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_log_guarded_delete BEFORE DELETE ON audit_log
WHEN (SELECT open FROM purge_gate) = 0
BEGIN SELECT RAISE(ABORT, 'audit entries are removed only by retention'); END;

CREATE TABLE audit_checkpoint (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  mac BLOB    NOT NULL,
  tag BLOB    NOT NULL
) STRICT;

-- A job is one alert, campaign or transactional send; its messages are its recipients.
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL CHECK (kind IN ('alert', 'campaign', 'transactional')),
  class       INTEGER NOT NULL,
  title       TEXT    NOT NULL,
  body        TEXT,                      -- NULL once retention scrubbed it
  created_at  INTEGER NOT NULL,
  scrubbed_at INTEGER
) STRICT;

CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL REFERENCES jobs(id),
  contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  destination TEXT,                      -- E.164; NULL once scrubbed
  body        TEXT,                      -- personalised text, if any; NULL once scrubbed
  state       TEXT    NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  bearer      TEXT,
  carrier_id  TEXT,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  scrubbed_at INTEGER
) STRICT;
CREATE INDEX messages_by_job ON messages(job_id);
CREATE INDEX messages_by_contact ON messages(contact_id) WHERE contact_id IS NOT NULL;

CREATE TABLE delivery_reports (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  carrier_id  TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  error       TEXT,
  received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX delivery_reports_by_time ON delivery_reports(received_at);
CREATE INDEX delivery_reports_by_message ON delivery_reports(message_id);
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kAll = {
      {1, "contacts, consent, suppression, audit chain, message history", kSchemaV1},
  };
  return kAll;
}

int latestSchemaVersion() { return migrations().back().version; }

Status migrate(Database& db) {
  const int64_t appId = db.queryInt("PRAGMA application_id");
  const int64_t version = db.queryInt("PRAGMA user_version");
  const int64_t objects = db.queryInt("SELECT count(*) FROM sqlite_schema");
  if (appId != kApplicationId && (appId != 0 || objects > 0))
    return Status::failedPrecondition("store " + db.path() + " is an SQLite database but not a Tocsin store");
  if (version > latestSchemaVersion())
    return Status::failedPrecondition("store " + db.path() + " has schema version " + std::to_string(version) +
                                      ", made by a newer Tocsin; this build understands versions up to " +
                                      std::to_string(latestSchemaVersion()) + ". Refusing to open it: upgrade Tocsin.");
  for (const Migration& m : migrations()) {
    if (m.version <= version) continue;
    Transaction tx(db, /*write=*/true);
    // Another process may have applied it between our check and our lock.
    if (db.queryInt("PRAGMA user_version") >= m.version) continue;
    db.exec(m.sql);
    db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version = " + std::to_string(m.version));
    tx.commit();
  }
  return Status::okStatus();
}

}  // namespace tocsin::sql
