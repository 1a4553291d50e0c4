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


// Version 2: the broadcaster's work. Version 1's jobs, messages and delivery_reports were
// placeholders that no release ever wrote; they are replaced.
//
// A message's life: queued -> submitted (handed to a bearer) -> sent (the network took every
// part) -> delivered | failed | expired; or waiting (not before a time: sending hours,
// backoff) -> queued; or cancelled; or refused (by a policy, with the reason). Per-job counts
// per state are kept in the same transaction as every change (a trigger for state changes, the
// inserting code for inserts), so progress is one read and always agrees with the messages.
constexpr const char* kSchemaV2 = R"sql(
DROP TABLE delivery_reports;
DROP TABLE messages;
DROP TABLE jobs;

CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  kind          TEXT    NOT NULL CHECK (kind IN ('alert', 'campaign', 'transactional')),
  class         TEXT    NOT NULL,
  mode          TEXT    NOT NULL DEFAULT 'live' CHECK (mode IN ('live', 'test', 'exercise')),
  state         TEXT    NOT NULL CHECK (state IN ('draft', 'approved', 'expanding', 'sending', 'paused', 'done', 'cancelled')),
  title         TEXT    NOT NULL,
  body          TEXT,                    -- JSON [["language", "text"], ...]; the first is the default; NULL once scrubbed
  sender        TEXT,
  purpose       TEXT,                    -- campaigns: "promotions:<shop>"
  target        TEXT    NOT NULL,        -- JSON: {"all": true} | {"zones": [...], "areas": [...]} | {"numbers": [...]}
  bearers       TEXT,                    -- JSON list of bearer names, NULL: every bearer the class may use
  created_by    TEXT    NOT NULL,
  approved_by   TEXT,
  reference     INTEGER REFERENCES jobs(id),
  details       TEXT,                    -- JSON: CAP identifiers, preview facts
  not_before    INTEGER,
  expires_at    INTEGER,
  expand_cursor INTEGER NOT NULL DEFAULT 0,  -- the last contact id turned into messages
  recipients    INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  scrubbed_at   INTEGER
) STRICT;
CREATE INDEX jobs_by_state ON jobs(state);

-- No foreign keys here: checking them costs two lookups per row of a million-row fan-out, the
-- job is the id's high half (jobs are never deleted), and the code that deletes a contact
-- (erasure, retention) clears its messages' contact_id and recipient itself.
CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL,
  contact_id  INTEGER,
  destination TEXT,                      -- E.164; NULL once scrubbed
  body        TEXT,                      -- personalised text; NULL: the job's text in `language`
  language    TEXT,
  rank        INTEGER NOT NULL,          -- the class's rank, 7 national .. 0 promotional
  state       TEXT    NOT NULL CHECK (state IN ('queued', 'waiting', 'submitted', 'sent', 'delivered', 'failed',
                                                'expired', 'cancelled', 'refused')),
  not_before  INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0,
  bearer      TEXT,                      -- the last bearer, or the one a reply should leave by
  carrier_ids TEXT,
  parts       INTEGER,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  scrubbed_at INTEGER
) STRICT;
-- A message's id is (job id << 32) + a number unique in the job (the contact id for a fan-out),
-- so a job's messages are one range of the table: no index by job is needed, and a fan-out
-- appends in order.
CREATE INDEX messages_ready ON messages(rank DESC, id) WHERE state = 'queued';
CREATE INDEX messages_waiting ON messages(not_before) WHERE state = 'waiting';
CREATE INDEX messages_waiting_by_rank ON messages(rank) WHERE state = 'waiting';
-- Promotions only: the frequency cap looks them up per contact. Erasure, rare, scans.
CREATE INDEX messages_promotional_by_contact ON messages(contact_id) WHERE rank = 0 AND contact_id IS NOT NULL;

CREATE TABLE job_counts (
  job_id INTEGER NOT NULL,
  state  TEXT    NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (job_id, state)
) STRICT, WITHOUT ROWID;
-- Inserts are counted by the code that inserts, once per batch (a fan-out adds a million rows).
CREATE TRIGGER messages_counted_move AFTER UPDATE OF state ON messages WHEN old.state <> new.state BEGIN
  UPDATE job_counts SET n = n - 1 WHERE job_id = old.job_id AND state = old.state;
  INSERT INTO job_counts VALUES (new.job_id, new.state, 1) ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TABLE delivery_reports (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER REFERENCES messages(id) ON DELETE CASCADE,
  part        INTEGER,
  bearer      TEXT    NOT NULL,
  carrier_id  TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  detail      TEXT,
  received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX delivery_reports_by_time ON delivery_reports(received_at);
CREATE INDEX delivery_reports_by_message ON delivery_reports(message_id);

-- Messages from phones, kept like message bodies (retention scrubs them).
CREATE TABLE incoming_messages (
  id          INTEGER PRIMARY KEY,
  contact_id  INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
  sender      TEXT,
  recipient   TEXT,
  body        TEXT,
  bearer      TEXT    NOT NULL,
  intent      TEXT    NOT NULL,
  outcome     TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  scrubbed_at INTEGER
) STRICT;
CREATE INDEX incoming_by_time ON incoming_messages(received_at);

-- Each contact's current consent per purpose, kept by triggers from the append-only history,
-- so that "who may receive this" is a join rather than a search of the history.
CREATE TABLE consent_state (
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  purpose    TEXT    NOT NULL,
  state      TEXT    NOT NULL,            -- granted (pending), confirmed, withdrawn
  since      INTEGER NOT NULL,
  PRIMARY KEY (contact_id, purpose)
) STRICT, WITHOUT ROWID;
-- A new grant while a confirmed consent stands does not suspend it.
CREATE TRIGGER consent_state_follows AFTER INSERT ON consent_events BEGIN
  INSERT INTO consent_state VALUES (new.contact_id, new.purpose, new.action, new.recorded_at)
  ON CONFLICT (contact_id, purpose) DO UPDATE SET
    state = CASE WHEN excluded.state = 'granted' AND consent_state.state = 'confirmed' THEN 'confirmed' ELSE excluded.state END,
    since = CASE WHEN excluded.state = 'granted' AND consent_state.state = 'confirmed' THEN consent_state.since ELSE excluded.since END;
END;
-- Retention removes grants never confirmed: the state falls back to the latest event left.
CREATE TRIGGER consent_state_unwinds AFTER DELETE ON consent_events BEGIN
  DELETE FROM consent_state WHERE contact_id = old.contact_id AND purpose = old.purpose;
  INSERT INTO consent_state (contact_id, purpose, state, since)
    SELECT contact_id, purpose, action, recorded_at FROM consent_events
    WHERE contact_id = old.contact_id AND purpose = old.purpose ORDER BY id DESC LIMIT 1;
END;
INSERT INTO consent_state (contact_id, purpose, state, since)
  SELECT e.contact_id, e.purpose,
         CASE WHEN e.action = 'granted' AND EXISTS (
                SELECT 1 FROM consent_events c WHERE c.contact_id = e.contact_id AND c.purpose = e.purpose
                AND c.action = 'confirmed' AND c.id < e.id AND NOT EXISTS (
                  SELECT 1 FROM consent_events w WHERE w.contact_id = e.contact_id AND w.purpose = e.purpose
                  AND w.action = 'withdrawn' AND w.id > c.id))
              THEN 'confirmed' ELSE e.action END,
         e.recorded_at
  FROM consent_events e
  WHERE e.id = (SELECT max(id) FROM consent_events x WHERE x.contact_id = e.contact_id AND x.purpose = e.purpose);

-- Codes sent by SMS to confirm a sign-up; only their hash is kept.
CREATE TABLE confirmation_codes (
  id         INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  purposes   TEXT    NOT NULL,            -- JSON list of the purposes the code confirms
  code_hash  TEXT    NOT NULL,
  channel    TEXT    NOT NULL,
  language   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  used_at    INTEGER
) STRICT;
CREATE INDEX confirmation_codes_by_contact ON confirmation_codes(contact_id);

-- What the running broadcaster and its bearers report about themselves, for status views.
CREATE TABLE runtime_status (
  key        TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL,           -- JSON
  updated_at INTEGER NOT NULL
) STRICT;
)sql";

constexpr const char* kSchemaV3 = R"sql(
-- Bearer tokens of the operator API. Only a SHA-256 of each token is kept: a stolen copy of the
-- store does not let anyone call the API.
CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  role        TEXT    NOT NULL CHECK (role IN ('operator', 'approver', 'marketer', 'auditor', 'kiosk', 'admin')),
  shop        TEXT,                      -- marketers: the shop whose campaigns they run
  token_hash  TEXT    NOT NULL UNIQUE,
  allow_from  TEXT,                      -- addresses or CIDR blocks, space-separated; NULL: anywhere
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  CHECK (role <> 'marketer' OR shop IS NOT NULL)
) STRICT;

-- Webhooks: delivery reports and incoming messages posted to the operator's systems. The
-- secret signs each post (HMAC-SHA256), so it is kept; it is shown once when created.
CREATE TABLE webhooks (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  url         TEXT    NOT NULL,
  events      TEXT    NOT NULL,          -- space-separated: delivery incoming
  secret      TEXT    NOT NULL,          -- hex
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  disabled_at INTEGER
) STRICT;
-- The outbox: written in the transaction that records the event, so none is lost; posted,
-- retried with backoff, then deleted a week after it ended (its payload may hold numbers).
CREATE TABLE webhook_deliveries (
  id         INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event      TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  state      TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_ended ON webhook_deliveries(updated_at) WHERE state <> 'pending';
)sql";

// Version 4: what the engine asks of jobs without reading them all, and delivery counted in the
// store. A CAP update finds the alert it refers to through (cap_sender, cap_identifier); lists
// of alerts and of active jobs go through (kind, id) and (state, id). A long message is
// delivered once every part is: `delivered_parts` holds one bit per part a receipt confirmed,
// so the count survives a restart. Per-job counts are kept by the message repository itself
// (see JobCountLedger in repositories.h) rather than by a trigger.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE jobs ADD COLUMN cap_sender TEXT;
ALTER TABLE jobs ADD COLUMN cap_identifier TEXT;
UPDATE jobs SET cap_sender = json_extract(details, '$.cap.sender'),
                cap_identifier = json_extract(details, '$.cap.identifier')
  WHERE details IS NOT NULL AND json_valid(details) AND json_extract(details, '$.cap') IS NOT NULL;
DROP INDEX jobs_by_state;
CREATE INDEX jobs_by_state ON jobs(state, id);
CREATE INDEX jobs_by_kind ON jobs(kind, id);
CREATE INDEX jobs_by_cap_message ON jobs(cap_sender, cap_identifier) WHERE cap_identifier IS NOT NULL;
ALTER TABLE messages ADD COLUMN delivered_parts INTEGER NOT NULL DEFAULT 0;
-- Per-job counts: the store's message repository counts each state change as it makes it and
-- writes the sums once per transaction, instead of a trigger running two statements per row.
DROP TRIGGER messages_counted_move;
)sql";

// Version 5: trust boundaries. People are who act, whichever way they come in (a token or an
// OS account maps to one); a repeated creation request (Idempotency-Key) finds the job it made;
// a shop sends only under the sender IDs an admin approved for it; a consent text belongs to one
// purpose, so a grant cannot cite another purpose's text.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE people (
  name        TEXT    PRIMARY KEY,
  os_user     TEXT    UNIQUE,            -- the OS account tocsinctl recognises as this person
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  disabled_at INTEGER
) STRICT;
ALTER TABLE api_tokens ADD COLUMN person TEXT;  -- NULL: the token stands for itself

CREATE TABLE job_request_keys (
  scope        TEXT    NOT NULL,         -- who asked: the person or token
  key_hash     TEXT    NOT NULL,         -- SHA-256 of the Idempotency-Key
  request_hash TEXT    NOT NULL,         -- SHA-256 of the request it came with
  job_id       INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (scope, key_hash)
) STRICT, WITHOUT ROWID;
CREATE INDEX job_request_keys_by_time ON job_request_keys(created_at);

CREATE TABLE shop_senders (
  shop        TEXT    NOT NULL,
  sender      TEXT    NOT NULL,
  approved_by TEXT    NOT NULL,
  approved_at INTEGER NOT NULL,
  PRIMARY KEY (shop, sender)
) STRICT, WITHOUT ROWID;

CREATE TABLE consent_text_purposes (
  text_id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL
) STRICT, WITHOUT ROWID;
-- Texts already cited by grants of a single purpose belong to it.
INSERT INTO consent_text_purposes (text_id, purpose)
  SELECT text_id, min(purpose) FROM consent_events WHERE text_id IS NOT NULL AND action = 'granted'
  GROUP BY text_id HAVING count(DISTINCT purpose) = 1;
)sql";

// Version 6: a sign-up waits for its code before anything about the person is written. The
// pending sign-up keeps the number and what was shown until it is confirmed, expires or is
// purged; only a confirmed one creates the contact (if new) and records the consent. Codes
// still open from version 5 move over, keyed as before by their contact.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE signups (
  id         INTEGER PRIMARY KEY,
  phone      TEXT    NOT NULL,            -- E.164 of the number the code went to
  code_hash  TEXT    NOT NULL,
  request    TEXT    NOT NULL,            -- JSON: name, source, texts shown per purpose, evidence
  channel    TEXT    NOT NULL,
  language   TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  used_at    INTEGER
) STRICT;
CREATE INDEX signups_by_phone ON signups(phone, created_at);
INSERT INTO signups (phone, code_hash, request, channel, language, created_at, expires_at, attempts, used_at)
  SELECT c.phone, k.code_hash, json_object('legacy_contact', k.contact_id, 'purposes', json(k.purposes)),
         k.channel, k.language, k.created_at, k.expires_at, k.attempts, k.used_at
  FROM confirmation_codes k JOIN contacts c ON c.id = k.contact_id
  WHERE k.used_at IS NULL;
DROP TABLE confirmation_codes;
)sql";

// Version 7: proof that holds. The keys a store was made with are recorded by fingerprint, so a
// missing or different key file is refused rather than replaced; rows of the consent history,
// the consent texts and the suppression list are bound to audit entries, and those of an older
// store are bound once, when it is first opened with its keys.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE store_keys (
  name        TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  public_key  TEXT,                    -- signing keys: base64 of the raw public key
  created_at  INTEGER NOT NULL,
  retired_at  INTEGER,                 -- a rotated signing key, still trusted for older exports
  PRIMARY KEY (name, fingerprint)
) STRICT, WITHOUT ROWID;
CREATE TABLE proof_adoption (pending INTEGER NOT NULL) STRICT;
INSERT INTO proof_adoption VALUES (EXISTS (SELECT 1 FROM consent_events) OR EXISTS (SELECT 1 FROM consent_texts)
                                   OR EXISTS (SELECT 1 FROM suppressions));
)sql";

// Version 8: kiosks on shops' stands, enrolled by an admin and paired once with a one-time code
// (kept as its SHA-256), after which they act through their own revocable token.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE kiosks (
  id               TEXT    PRIMARY KEY,
  shop             TEXT    NOT NULL,
  pairing_hash     TEXT,
  pairing_expires  INTEGER,
  pairing_attempts INTEGER NOT NULL DEFAULT 0,
  token_name       TEXT    UNIQUE,
  created_by       TEXT    NOT NULL,
  created_at       INTEGER NOT NULL,
  paired_at        INTEGER,
  revoked_at       INTEGER,
  last_seen        INTEGER,
  version          TEXT,
  waiting          INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
)sql";

// Version 9: the console. People sign in with a password (a salted scrypt hash) and a TOTP
// second factor, in one role; admins upload the zones' boundaries; operators keep templates.
constexpr const char* kSchemaV9 = R"sql(
CREATE TABLE console_accounts (
  person         TEXT    PRIMARY KEY REFERENCES people(name),
  role           TEXT    NOT NULL,
  shop           TEXT,
  password_hash  TEXT    NOT NULL,
  totp_secret    TEXT,
  totp_confirmed INTEGER NOT NULL DEFAULT 0,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failures       INTEGER NOT NULL DEFAULT 0,
  locked_until   INTEGER,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE zones (
  name        TEXT    PRIMARY KEY,
  geometry    TEXT    NOT NULL,
  uploaded_by TEXT    NOT NULL,
  uploaded_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE alert_templates (
  name       TEXT    PRIMARY KEY,
  body       TEXT    NOT NULL,
  created_by TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Version 10: shops as customers. A shop is registered by an admin and activated by its owner
// with a code sent by SMS; it pays in SMS parts (a balance or a monthly quota), keeps lists and
// tags of contacts, and its campaigns' links become tracked short links. Shops that existed
// only as a name (on tokens, kiosks, sender IDs, accounts or consent) are registered as active
// and unmetered, so nothing they did before stops working.
constexpr const char* kSchemaV10 = R"sql(
CREATE TABLE shops (
  id                  TEXT    PRIMARY KEY,
  name                TEXT    NOT NULL,
  country             TEXT,                 -- NULL: registered before shops had accounts
  owner_phone         TEXT,
  state               TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'suspended', 'closed')),
  requested_senders   TEXT    NOT NULL DEFAULT '[]',
  activation_hash     TEXT,
  activation_expires  INTEGER,
  activation_attempts INTEGER NOT NULL DEFAULT 0,
  moderation          INTEGER NOT NULL DEFAULT 0,
  tracking            INTEGER NOT NULL DEFAULT 1,
  credit_mode         TEXT    NOT NULL CHECK (credit_mode IN ('balance', 'quota', 'unmetered')),
  balance             INTEGER NOT NULL DEFAULT 0,
  monthly_quota       INTEGER,
  quota_month         TEXT,
  low_balance         INTEGER NOT NULL DEFAULT 0,
  low_alerted         INTEGER NOT NULL DEFAULT 0,
  created_by          TEXT    NOT NULL,
  created_at          INTEGER NOT NULL,
  activated_at        INTEGER,
  closed_at           INTEGER
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO shops (id, name, state, credit_mode, created_by, created_at, activated_at)
  SELECT shop, shop, 'active', 'unmetered', 'migration', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER),
         CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
  FROM (SELECT shop FROM shop_senders UNION SELECT shop FROM kiosks UNION SELECT shop FROM api_tokens WHERE shop IS NOT NULL
        UNION SELECT shop FROM console_accounts WHERE shop IS NOT NULL
        UNION SELECT substr(purpose, 12) FROM consent_state WHERE purpose LIKE 'promotions:_%'
        UNION SELECT substr(purpose, 12) FROM jobs WHERE purpose LIKE 'promotions:_%');

CREATE TABLE credit_entries (
  id            INTEGER PRIMARY KEY,
  shop          TEXT    NOT NULL,
  job_id        INTEGER,
  kind          TEXT    NOT NULL CHECK (kind IN ('top_up', 'quota', 'reserve', 'charge', 'refund', 'adjust')),
  parts         INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  actor         TEXT    NOT NULL,
  at            INTEGER NOT NULL
) STRICT;
CREATE INDEX credit_entries_by_shop ON credit_entries(shop, at);

CREATE TABLE job_credits (
  job_id     INTEGER PRIMARY KEY,
  shop       TEXT    NOT NULL,
  reserved   INTEGER NOT NULL,
  charged    INTEGER NOT NULL DEFAULT 0,
  refunded   INTEGER NOT NULL DEFAULT 0,
  settled_at INTEGER,
  final      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX job_credits_open ON job_credits(job_id) WHERE final = 0;

CREATE TABLE contact_lists (
  id         INTEGER PRIMARY KEY,
  shop       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  created_by TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (shop, name)
) STRICT;
CREATE TABLE list_members (
  list_id    INTEGER NOT NULL,
  contact_id INTEGER NOT NULL,
  PRIMARY KEY (list_id, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX list_members_by_contact ON list_members(contact_id);
CREATE TABLE contact_tags (
  shop       TEXT    NOT NULL,
  tag        TEXT    NOT NULL,
  contact_id INTEGER NOT NULL,
  PRIMARY KEY (shop, tag, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_by_contact ON contact_tags(contact_id);

-- One short link per recipient of a campaign's URL. Kept for their own retention period; the
-- counts per job stay after the links are purged.
CREATE TABLE links (
  code        TEXT    PRIMARY KEY,
  job_id      INTEGER NOT NULL,
  contact_id  INTEGER,
  url         TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  first_click INTEGER,
  last_click  INTEGER,
  clicks      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
CREATE INDEX links_by_job ON links(job_id);
CREATE INDEX links_by_time ON links(created_at);
CREATE INDEX links_by_contact ON links(contact_id) WHERE contact_id IS NOT NULL;
CREATE TABLE job_clicks (
  job_id  INTEGER PRIMARY KEY,
  links   INTEGER NOT NULL DEFAULT 0,
  clicks  INTEGER NOT NULL DEFAULT 0,
  clicked INTEGER NOT NULL DEFAULT 0
) STRICT;

ALTER TABLE webhooks ADD COLUMN shop TEXT;  -- NULL: the town's, sees every event
)sql";

// Version 11: several broadcaster nodes on one store (see messages' claimed_by and lease_until).
// PostgreSQL's step is postgres_schema.cpp's.
constexpr const char* kSchemaV11 = R"sql(
-- Several broadcaster nodes on one store: a message handed to a bearer is held by a node under a
-- lease, which the node renews while it lives; when it dies, another node sends the message once
-- the lease has ended.
ALTER TABLE messages ADD COLUMN claimed_by TEXT;
ALTER TABLE messages ADD COLUMN lease_until INTEGER;
CREATE INDEX messages_in_flight ON messages(rank) WHERE state = 'submitted';
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kAll = {
      {1, "contacts, consent, suppression, audit chain, message history", kSchemaV1},
      {2, "jobs, message states and counts, delivery reports, incoming messages, consent state, codes", kSchemaV2},
      {3, "operator API tokens, webhooks and their outbox", kSchemaV3},
      {4, "indexed job lookups (state, kind, CAP message), delivered parts per message, counts kept per transaction", kSchemaV4},
      {5, "people, idempotent job creation, shops' approved senders, consent texts bound to a purpose", kSchemaV5},
      {6, "sign-ups wait for their code before writing the contact or the consent", kSchemaV6},
      {7, "keys recorded by fingerprint, consent history and suppressions bound to the audit chain", kSchemaV7},
      {8, "kiosks enrolled for shops' stands, paired with a one-time code", kSchemaV8},
      {9, "console sign-in accounts (password and TOTP), zones' boundaries, alert templates", kSchemaV9},
      {10, "shops' accounts, credits, lists and tags, tracked links, shops' webhooks", kSchemaV10},
      {11, "messages held by a broadcaster node under a lease", kSchemaV11},
  };
  return kAll;
}

int latestSchemaVersion() { return migrations().back().version; }

Status migrate(SqliteDatabase& db) {
  const int64_t appId = db.queryInt("PRAGMA application_id");
  const int64_t version = db.queryInt("PRAGMA user_version");
  const int64_t objects = db.queryInt("SELECT count(*) FROM sqlite_schema");
  if (appId != kApplicationId && (appId != 0 || objects > 0))
    return Status::failedPrecondition("store " + db.path() + " is an SQLite database but not a Tocsin store");
  if (version > latestSchemaVersion())
    return Status::failedPrecondition("store " + db.path() + " has schema version " + std::to_string(version) +
                                      ", made by a newer Tocsin; this build understands versions up to " +
                                      std::to_string(latestSchemaVersion()) +
                                      ". Refusing to open it: a downgrade is not supported. Install the newer Tocsin "
                                      "again, or restore a backup taken before the upgrade (tocsinctl store restore; "
                                      "an upgrade leaves one in the store's backups directory).");
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
