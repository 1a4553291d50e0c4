// Proof that holds: erasure everywhere, keys that never change silently, exports safe to open,
// a person's own copy. (Tampering with the consent history is attacked through tocsinctl in
// tests/cli.)
#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "common/config/config.h"
#include "common/consent/consent.h"
#include "common/consent/export.h"
#include "common/csv/csv.h"
#include "common/privacy/erasure.h"
#include "common/privacy/person_export.h"
#include "common/setup/store_environment.h"
#include "common/setup/store_keys.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

using namespace tocsin;
using namespace tocsin::testing;

namespace {

const std::string kNumber = "+33622222222";
const std::string kName = "Gaston Lagaffe";

unsigned modeOf(const std::string& path) {
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  return sb.st_mode & 0777;
}

// Every file under `dir` (or the file itself) that holds `needle`, byte for byte.
std::vector<std::string> filesHolding(const std::string& path, const std::string& needle) {
  std::vector<std::string> found;
  namespace fs = std::filesystem;
  if (!fs::exists(path)) return found;
  auto check = [&](const fs::path& p) {
    if (fs::is_regular_file(p) && readFile(p.string()).find(needle) != std::string::npos) found.push_back(p.string());
  };
  if (fs::is_directory(path)) {
    for (const auto& e : fs::recursive_directory_iterator(path)) check(e.path());
  } else {
    check(path);
  }
  return found;
}

// The columns of every table that can hold text, as "table.column".
std::set<std::string> textColumns(const std::string& db) {
  std::set<std::string> out;
  const std::string tables = rawQuery(db, "SELECT group_concat(name, ' ') FROM sqlite_schema WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%'");
  std::istringstream in(tables);
  for (std::string t; in >> t;) {
    const std::string cols = rawQuery(db, "SELECT group_concat(name, ' ') FROM pragma_table_info('" + t +
                                              "') WHERE type IN ('TEXT', 'BLOB', '')");
    std::istringstream c(cols);
    for (std::string col; c >> col;) out.insert(t + "." + col);
  }
  return out;
}

}  // namespace

TEST_CASE("Erasure leaves the number and the name nowhere: database, write-ahead log, keys, exports", "[sqlite-only]") {
  StoreFixture f;
  const ContactId gone = f.addContact("0622222222", ContactDetails{kName, {}, {}, {}, {}, {}});
  const ContactId keep = f.addContact("0611111111");
  f.giveConsent(gone, "promotions:bakery");
  f.giveConsent(keep, "alerts");
  // A consent whose evidence names the person.
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    return consent::withdraw(tx, rec, gone, {"promotions:bakery", "en", "sms:STOP", "sms-keyword",
                                             std::string("STOP from " + kName)})
        .status();
  });
  const auto now = std::to_string(toMicros(f.clock.now()));
  const std::string job = "1";
  // Every place outside the contact and its consent that can hold the number or the name.
  rawSql(f.dbPath,
         "INSERT INTO jobs (id, kind, class, state, title, body, target, created_by, created_at, updated_at) VALUES "
         "(1, 'campaign', 'promotional', 'done', 't', '[[\"en\",\"Hi {name}\"]]', '{}', 'test', " + now + ", " + now +
         "), (2, 'transactional', 'transactional', 'done', 'sign-up code', '[[\"en\",\"code 1234\"]]', "
         "'{\"numbers\":[\"" + kNumber + "\",\"+33611111111\"]}', 'test', " + now + ", " + now + ");"
         // Linked to the contact, personalised.
         "INSERT INTO messages (id, job_id, contact_id, destination, body, rank, state, last_error, carrier_ids, "
         "created_at, updated_at) VALUES ((CAST(1 AS BIGINT) << 32) + 1, 1, " + std::to_string(gone) + ", '" + kNumber + "', 'Hi " +
         kName + "', 0, 'delivered', NULL, 'c-1', " + now + ", " + now + ");"
         // Sent to the number with no contact link, its error naming the number.
         "INSERT INTO messages (id, job_id, contact_id, destination, body, rank, state, last_error, created_at, "
         "updated_at) VALUES ((CAST(2 AS BIGINT) << 32) + 1, 2, NULL, '" + kNumber + "', NULL, 1, 'failed', 'modem: " + kNumber +
         " refused', " + now + ", " + now + ");"
         "INSERT INTO delivery_reports (message_id, part, bearer, carrier_id, status, detail, received_at) VALUES "
         "((CAST(1 AS BIGINT) << 32) + 1, 1, 'smsc', 'c-1', 'delivered', 'to " + kNumber + " for " + kName + "', " + now + ");"
         "INSERT INTO incoming_messages (contact_id, sender, recipient, body, bearer, intent, outcome, received_at) "
         "VALUES (NULL, '" + kNumber + "', '+33700000000', 'this is " + kName + "', 'smsc', 'other', 'kept', " + now +
         ");"
         "INSERT INTO signups (phone, code_hash, request, channel, language, created_at, expires_at) VALUES ('" +
         kNumber + "', 'h', '{\"name\":\"" + kName + "\"}', 'kiosk:K1', 'en', " + now + ", " + now + ");"
         "INSERT INTO webhooks (id, name, url, events, secret, created_by, created_at) VALUES (1, 'crm', "
         "'http://127.0.0.1:9/h', 'delivery incoming', 'aa', 'test', " + now + ");"
         "INSERT INTO webhook_deliveries (webhook_id, event, payload, state, next_at, created_at, updated_at) VALUES "
         "(1, 'incoming', '{\"from\":\"" + kNumber + "\",\"text\":\"this is " + kName + "\"}', 'pending', 0, " + now +
         ", " + now + "), (1, 'delivery', '{\"message_id\":" + std::to_string((int64_t{1} << 32) + 1) +
         ",\"detail\":\"" + kName + "\"}', 'pending', 0, " + now + ", " + now + ");"
         // A shop whose owner is the person; a link made for them, its URL personalised.
         "INSERT INTO shops (id, name, country, owner_phone, state, credit_mode, created_by, created_at) VALUES "
         "('bakery', 'Bakery', 'FR', '" + kNumber + "', 'active', 'balance', 'test', " + now + ");"
         "INSERT INTO links (code, job_id, contact_id, url, created_at) VALUES ('AbCdEfGh', 1, " + std::to_string(gone) +
         ", 'https://bakery.example/?who=" + kName + "', " + now + ");"
         "INSERT INTO contact_lists (id, shop, name, created_by, created_at) VALUES (1, 'bakery', 'regulars', 'test', " +
         now + ");"
         "INSERT INTO list_members (list_id, contact_id) VALUES (1, " + std::to_string(gone) + ");"
         "INSERT INTO contact_tags (shop, tag, contact_id) VALUES ('bakery', 'vip', " + std::to_string(gone) + ");");

  // Each column that can hold text is either planted above or cannot hold a person's number
  // or name (a new one fails here until it is classified).
  const std::set<std::string> planted = {
      "contacts.phone", "contacts.name", "consent_events.evidence", "messages.destination", "messages.body",
      "messages.last_error", "messages.carrier_ids", "delivery_reports.detail", "incoming_messages.sender",
      "incoming_messages.body", "signups.phone", "signups.request", "webhook_deliveries.payload", "jobs.target",
      "shops.owner_phone", "links.url"};
  const std::set<std::string> impersonal = {
      // Who acted, what was sent to everyone, codes and keys: never a resident's number or name.
      "contacts.number_type", "contacts.region", "contacts.language", "contacts.time_zone", "contacts.zone",
      "contacts.source", "consent_texts.text_id", "consent_texts.language", "consent_texts.sha256",
      "consent_texts.body", "consent_events.purpose", "consent_events.action", "consent_events.text_id",
      "consent_events.text_sha256", "consent_events.language", "consent_events.channel", "consent_events.method",
      "suppressions.fingerprint", "suppressions.reason", "audit_log.actor", "audit_log.action", "audit_log.object",
      "audit_log.reason", "audit_log.prev_mac", "audit_log.mac", "audit_checkpoint.mac", "audit_checkpoint.tag",
      "jobs.kind", "jobs.class", "jobs.mode", "jobs.state", "jobs.title", "jobs.body", "jobs.sender", "jobs.purpose",
      "jobs.bearers", "jobs.created_by", "jobs.approved_by", "jobs.details", "jobs.cap_sender", "jobs.cap_identifier",
      "messages.language", "messages.state", "messages.bearer", "messages.claimed_by", "delivery_reports.bearer",
      "delivery_reports.carrier_id", "delivery_reports.status", "incoming_messages.recipient",
      "incoming_messages.bearer", "incoming_messages.intent", "incoming_messages.outcome", "job_counts.state",
      "consent_state.purpose", "consent_state.state", "runtime_status.key", "runtime_status.value",
      "api_tokens.name", "api_tokens.role", "api_tokens.token_hash", "api_tokens.shop", "api_tokens.allow_from",
      "api_tokens.created_by", "api_tokens.person", "webhooks.name", "webhooks.url", "webhooks.events",
      "webhooks.secret", "webhooks.created_by", "webhook_deliveries.event", "webhook_deliveries.state",
      "webhook_deliveries.last_error", "people.name", "people.os_user", "people.created_by",
      "job_request_keys.scope", "job_request_keys.key_hash", "job_request_keys.request_hash", "shop_senders.shop",
      "shop_senders.sender", "shop_senders.approved_by", "consent_text_purposes.text_id",
      "consent_text_purposes.purpose", "signups.code_hash", "signups.channel", "signups.language",
      "store_keys.name", "store_keys.fingerprint", "store_keys.public_key", "kiosks.id", "kiosks.shop",
      "kiosks.pairing_hash", "kiosks.token_name", "kiosks.created_by", "kiosks.version",
      // The console: staff's accounts, the zones' boundaries, alert templates (what goes to everyone).
      "console_accounts.person", "console_accounts.role", "console_accounts.shop", "console_accounts.password_hash",
      "console_accounts.totp_secret", "zones.name", "zones.geometry", "zones.uploaded_by", "alert_templates.name",
      "alert_templates.body", "alert_templates.created_by",
      // Shops: their accounts and credits, lists' and tags' names (members are contact ids), link codes.
      "shops.id", "shops.name", "shops.country", "shops.state", "shops.requested_senders", "shops.activation_hash",
      "shops.credit_mode", "shops.quota_month", "shops.created_by", "credit_entries.shop", "credit_entries.kind",
      "credit_entries.actor", "job_credits.shop", "contact_lists.shop", "contact_lists.name", "contact_lists.created_by",
      "contact_tags.shop", "contact_tags.tag", "links.code", "webhooks.shop"};
  for (const std::string& column : textColumns(f.dbPath)) {
    INFO(column << " can hold text: plant the number or name in it above, or list it as impersonal");
    CHECK((planted.count(column) + impersonal.count(column)) == 1);
  }

  // A reader holding an older snapshot keeps the log from being emptied: not done yet.
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open_v2(f.dbPath.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM contacts;", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto pending = eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0622222222"));
  CHECK(pending.status().code() == StatusCode::kUnavailable);
  CHECK(pending.status().message().find("not complete yet") != std::string::npos);
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  // Erasing again finishes it (and says the number was already suppressed).
  auto done = eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0622222222"));
  REQUIRE(done.ok());

  // An export made afterwards, and the folders of keys and exports.
  const std::string exports = f.dir.file("exports");
  std::filesystem::create_directory(exports);
  auto key = f.keys.signingKey(kExportSigningKeyName);
  REQUIRE(key.ok());
  REQUIRE(exportConsent(*f.store, *f.audit, **key, "cli:dpo", ExportFormat::kCsv, {}, exports + "/consent.csv").ok());
  CHECK(verifyConsentExport(exports + "/consent.csv", (*key)->publicKey()).ok());
  REQUIRE(f.audit->verify(*f.store).value().intact());

  f.store.reset();
  for (const std::string& needle : {kNumber, std::string("622222222"), kName, std::string("Lagaffe")}) {
    for (const std::string& place : {f.dbPath, f.dbPath + "-wal", f.dbPath + "-shm", f.keys.path(), exports}) {
      INFO(needle << " in " << place);
      CHECK(filesHolding(place, needle).empty());
    }
  }
  // What is kept: the other person, the suppression fingerprint, the bodies of impersonal jobs.
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM contacts") == "1");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM suppressions") == "1");
  CHECK(rawQuery(f.dbPath, "SELECT target FROM jobs WHERE id = 2") == "{\"numbers\":[\"erased\",\"+33611111111\"]}");
  CHECK(rawQuery(f.dbPath, "SELECT (SELECT count(*) FROM links) + (SELECT count(*) FROM list_members) + (SELECT count(*) FROM contact_tags)") == "0");
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM shops WHERE owner_phone IS NULL") == "1");
}

namespace {

Config configFor(const std::string& dbPath) {
  Config c = parseConfig("{\"store\": {\"path\": \"" + dbPath + "\"}}", "test").value();
  c.store.postgresql = registeredPostgres(dbPath);
  return c;
}

Status openEnvironment(const std::string& dbPath, Clock& clock) {
  StoreEnvironment env;
  return env.open(configFor(dbPath), clock);
}

}  // namespace

TEST_CASE("Keys are made with a new store only: a missing or different key is refused, naming the file") {
  TempDir dir;
  FakeClock clock;
  const std::string db = dir.file("store/tocsin.db");
  const std::string keys = dir.file("store/keys");
  REQUIRE(openEnvironment(db, clock).ok());
  for (const char* file : {"audit.key", "suppression.key", "export-signing.pem"}) {
    INFO(file);
    CHECK(modeOf(keys + "/" + file) == 0600);
  }
  CHECK(rawQuery(db, "SELECT count(*) FROM store_keys") == "3");

  for (const char* file : {"audit.key", "suppression.key", "export-signing.pem"}) {
    SECTION(std::string("missing ") + file) {
      std::filesystem::rename(keys + "/" + file, dir.file(file));
      const Status st = openEnvironment(db, clock);
      CHECK(st.code() == StatusCode::kFailedPrecondition);
      CHECK(st.message().find(keys + "/" + file + ", which is missing") != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(keys + "/" + file));  // not recreated
      // Put back, it opens again.
      std::filesystem::rename(dir.file(file), keys + "/" + file);
      CHECK(openEnvironment(db, clock).ok());
    }
    SECTION(std::string("another store's ") + file) {
      TempDir other;
      REQUIRE(openEnvironment(other.file("tocsin.db"), clock).ok());
      std::filesystem::copy_file(other.file(std::string("keys/") + file), keys + "/" + file,
                                 std::filesystem::copy_options::overwrite_existing);
      const Status st = openEnvironment(db, clock);
      CHECK(st.code() == StatusCode::kFailedPrecondition);
      CHECK(st.message().find("key file " + keys + "/" + file + " is not the key store") != std::string::npos);
    }
  }
}

TEST_CASE("With its suppression key gone, an erased number cannot come back in: the store does not open") {
  StoreFixture f;
  REQUIRE(eraseNumber(*f.store, *f.audit, f.suppressor, "cli:dpo", *f.phones.normalize("0622222222")).ok());
  std::filesystem::remove(f.keys.file("suppression.key"));
  FakeClock clock;
  const Status st = openEnvironment(f.dbPath, clock);
  CHECK(st.code() == StatusCode::kFailedPrecondition);
  CHECK_FALSE(std::filesystem::exists(f.keys.file("suppression.key")));
}

TEST_CASE("Keys backed up and restored, audited, and a backup of another store refused") {
  TempDir dir;
  FakeClock clock;
  const std::string db = dir.file("store/tocsin.db");
  StoreEnvironment env;
  REQUIRE(env.open(configFor(db), clock).ok());
  const std::string backup = dir.file("backup");
  auto copied = backupKeys(*env.store, *env.audit, env.keys, "cli:admin", backup);
  REQUIRE(copied.ok());
  CHECK(copied->size() == 3);
  CHECK(modeOf(backup) == 0700);
  CHECK(modeOf(backup + "/audit.key") == 0600);
  CHECK(backupKeys(*env.store, *env.audit, env.keys, "cli:admin", backup).status().code() ==
        StatusCode::kFailedPrecondition);  // not into a directory that holds files

  // Lost keys: the store refuses to open until they are restored.
  std::filesystem::remove_all(env.keys.path());
  env = StoreEnvironment{};
  CHECK_FALSE(openEnvironment(db, clock).ok());
  {
    auto store = SqliteStore::open(db, {});
    REQUIRE(store.ok());
    TempDir other;
    REQUIRE(openEnvironment(other.file("tocsin.db"), clock).ok());
    const auto wrong = restoreKeys(**store, KeyDirectory(dir.file("store/keys")), other.file("keys"));
    CHECK(wrong.status().code() == StatusCode::kFailedPrecondition);
    CHECK(wrong.status().message().find("is not the key store") != std::string::npos);
    auto restored = restoreKeys(**store, KeyDirectory(dir.file("store/keys")), backup);
    REQUIRE(restored.ok());
    CHECK(restored->size() == 3);
  }
  REQUIRE(env.open(configFor(db), clock).ok());
  REQUIRE(recordKeyRestore(*env.store, *env.audit, "cli:admin", backup, {"audit.key"}).ok());
  const auto v = env.audit->verify(*env.store).value();
  CHECK(v.explanation == "");
  CHECK(rawQuery(db, "SELECT group_concat(action, ' ') FROM audit_log WHERE action LIKE 'keys.%'") ==
        "keys.backup keys.restore");
}

TEST_CASE("Rotating the export signing key: older exports still verify, the old key signs nothing new") {
  StoreFixture f;
  const ContactId c = f.addContact("0622222222");
  f.giveConsent(c, "alerts");
  auto oldKey = f.keys.signingKey(kExportSigningKeyName).value();
  const std::string before = f.dir.file("before.json");
  REQUIRE(exportConsent(*f.store, *f.audit, *oldKey, "t", ExportFormat::kJson, {}, before).ok());
  f.clock.advance(std::chrono::hours(1));
  auto fp = rotateExportSigningKey(*f.store, *f.audit, f.keys, "cli:admin");
  REQUIRE(fp.ok());
  auto newKey = f.keys.signingKey(kExportSigningKeyName).value();
  CHECK(keyFingerprint(newKey->publicKey()) == *fp);
  CHECK(newKey->publicKey() != oldKey->publicKey());
  const std::string after = f.dir.file("after.json");
  f.clock.advance(std::chrono::hours(1));
  REQUIRE(exportConsent(*f.store, *f.audit, *newKey, "t", ExportFormat::kJson, {}, after).ok());

  std::vector<TrustedKey> trusted;
  const auto keys = trustedSigningKeys(*f.store);
  REQUIRE(keys.ok());
  for (const auto& k : *keys) trusted.push_back({k.publicKey, k.from, k.until});
  REQUIRE(trusted.size() == 2);
  CHECK(verifyConsentExport(before, trusted).ok());
  CHECK(verifyConsentExport(after, trusted).ok());
  // The old key, after its retirement, is not trusted for new signatures.
  const std::string late = f.dir.file("late.json");
  REQUIRE(exportConsent(*f.store, *f.audit, *oldKey, "t", ExportFormat::kJson, {}, late).ok());
  const auto refused = verifyConsentExport(late, trusted);
  CHECK(refused.status().code() == StatusCode::kDataLoss);
  CHECK(refused.status().message().find("was not the store's signing key then") != std::string::npos);
  // The store still opens with the new key; the rotation is audited.
  FakeClock clock;
  CHECK(openEnvironment(f.dbPath, clock).ok());
  CHECK(rawQuery(f.dbPath, "SELECT count(*) FROM audit_log WHERE action = 'keys.rotate'") == "1");
}

TEST_CASE("A consent export is safe to open in a spreadsheet, private, and carries each text once") {
  StoreFixture f;
  const ContactId c = f.addContact("0622222222");
  f.giveConsent(c, "alerts");
  f.write([&](StoreTx& tx, AuditRecorder& rec) {
    return consent::withdraw(tx, rec, c, {"alerts", "en", "web:form", "web-form",
                                          std::string("=HYPERLINK(\"http://evil.example/\",\"click\")")})
        .status();
  });
  ::umask(022);
  const std::string out = f.dir.file("consent.csv");
  auto key = f.keys.signingKey(kExportSigningKeyName).value();
  auto s = exportConsent(*f.store, *f.audit, *key, "t", ExportFormat::kCsv, {}, out);
  REQUIRE(s.ok());
  CHECK(s->texts == 1);
  CHECK(modeOf(out) == 0600);
  CHECK(modeOf(out + ".sig") == 0600);
  const std::string csv = readFile(out);
  CHECK(csv.find("\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"") != std::string::npos);
  CHECK(csv.find(",=HYPERLINK") == std::string::npos);
  CHECK(csv.find("\"'+33622222222\"") != std::string::npos);  // a leading + is neutralised too
  // The appendix: the text once, with the body whose SHA-256 the events cite.
  const std::string body = "I agree to receive alerts by SMS.";
  CHECK(csv.find("text_id,text_language,text_version,text_sha256,text_body") != std::string::npos);
  CHECK(csv.find("\"" + toHex(sha256(body)) + "\",\"" + body + "\"") != std::string::npos);
  CHECK(csvSafeCell("-1+2") == "\"'-1+2\"");
  CHECK(csvSafeCell("@SUM(A1)") == "\"'@SUM(A1)\"");
  CHECK(csvSafeCell("\tx") == "\"'\tx\"");
  CHECK(csvSafeCell("plain") == "\"plain\"");
}

TEST_CASE("A person's own copy: signed, complete, readable, and audited without the number") {
  StoreFixture f;
  const ContactId c = f.addContact("0622222222", ContactDetails{std::string("<script>x</script> Ann"), {}, {}, {}, {}, {}});
  f.giveConsent(c, "promotions:bakery");
  const auto now = std::to_string(toMicros(f.clock.now()));
  rawSql(f.dbPath,
         "INSERT INTO jobs (id, kind, class, state, title, body, target, created_by, created_at, updated_at) VALUES "
         "(7, 'alert', 'severe', 'done', 'Flood', '[[\"en\",\"Flood\"]]', '{}', 'test', " + now + ", " + now + ");"
         "INSERT INTO messages (id, job_id, contact_id, destination, rank, state, created_at, updated_at) VALUES "
         "((CAST(7 AS BIGINT) << 32) + 1, 7, " + std::to_string(c) + ", '" + kNumber + "', 5, 'delivered', " + now + ", " + now + ");"
         "INSERT INTO incoming_messages (contact_id, sender, recipient, body, bearer, intent, outcome, received_at) "
         "VALUES (" + std::to_string(c) + ", '" + kNumber + "', '+33700000000', 'STOP', 'smsc', 'stop', 'withdrawn', " +
         now + ")");
  auto key = f.keys.signingKey(kExportSigningKeyName).value();
  auto x = exportPerson(*f.store, *f.audit, *key, f.suppressor, "cli:dpo", *f.phones.normalize("06 22 22 22 22"));
  REQUIRE(x.ok());
  CHECK(x->found);
  const std::string out = f.dir.file("person.json");
  REQUIRE(writePersonExport(*x, out).ok());
  CHECK(modeOf(out) == 0600);
  CHECK(modeOf(out + ".html") == 0600);
  CHECK(verifyConsentExport(out, key->publicKey()).ok());
  std::string json = readFile(out);
  for (const char* expected : {"\"phone\": \"+33622222222\"", "\"purpose\": \"promotions:bakery\"",
                               "\"action\": \"confirmed\"", "\"body\": \"I agree to receive promotions:bakery by SMS.\"",
                               "\"kind\": \"alert\"", "\"class\": \"severe\"", "\"job\": 7", "\"text\": \"STOP\"",
                               "\"suppressed\": false"}) {
    INFO(expected);
    CHECK(json.find(expected) != std::string::npos);
  }
  CHECK(x->html.find("&lt;script&gt;x&lt;/script&gt; Ann") != std::string::npos);
  CHECK(x->html.find("<script>") == std::string::npos);
  // A changed byte fails the signature.
  json[json.size() / 2] ^= 0x01;
  writeFile(out, json);
  CHECK(verifyConsentExport(out, key->publicKey()).status().code() == StatusCode::kDataLoss);
  // The audit entry names the contact id, never the number.
  const std::string entry =
      rawQuery(f.dbPath, "SELECT object || ' ' || reason FROM audit_log WHERE action = 'person.export'");
  CHECK(entry.find("contact:" + std::to_string(c)) == 0);
  CHECK(entry.find("622") == std::string::npos);
  // A number the store never held: the copy says so.
  auto none = exportPerson(*f.store, *f.audit, *key, f.suppressor, "cli:dpo", *f.phones.normalize("0633333333"));
  REQUIRE(none.ok());
  CHECK_FALSE(none->found);
}
