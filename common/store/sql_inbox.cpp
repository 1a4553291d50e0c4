#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "common/base/json_text.h"
#include "common/store/repositories.h"

namespace tocsin::sql {

int64_t SqlInbox::addIncoming(const IncomingRecord& m) {
  Statement& st = db_.cached(
      "INSERT INTO incoming_messages (contact_id, sender, recipient, body, bearer, intent, outcome, received_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
  st.bind(1, m.contact).bind(2, m.sender).bind(3, m.recipient).bind(4, m.body).bind(5, m.bearer).bind(6, m.intent);
  st.bind(7, m.outcome).bind(8, toMicros(m.receivedAt));
  return insertedId(st).value_or(0);
}

namespace {

// What a sign-up asked, as the row's JSON.
std::string requestJson(const SignupRecord& r) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("region", r.region);
  o.set("number_type", r.numberType);
  if (r.name) o.set("name", *r.name);
  o.set("source", r.source);
  Poco::JSON::Array texts;
  for (const auto& t : r.texts) {
    Poco::JSON::Object e(Poco::JSON_PRESERVE_KEY_ORDER);
    e.set("purpose", t.purpose);
    e.set("text_id", t.textId);
    e.set("text_version", t.textVersion);
    texts.add(e);
  }
  o.set("texts", texts);
  if (r.evidence) o.set("evidence", *r.evidence);
  if (r.legacyContact) o.set("legacy_contact", *r.legacyContact);
  if (r.withdrawal) o.set("withdraw", true);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

void readRequest(const std::string& json, SignupRecord& r) {
  const auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
  r.region = o->optValue<std::string>("region", "");
  r.numberType = o->optValue<std::string>("number_type", "");
  if (o->has("name")) r.name = o->getValue<std::string>("name");
  r.source = o->optValue<std::string>("source", "");
  if (o->has("evidence")) r.evidence = o->getValue<std::string>("evidence");
  if (o->has("legacy_contact")) r.legacyContact = o->getValue<int64_t>("legacy_contact");
  r.withdrawal = o->optValue<bool>("withdraw", false);
  if (auto texts = o->getArray("texts"))
    for (size_t i = 0; i < texts->size(); ++i) {
      auto t = texts->getObject(static_cast<unsigned>(i));
      r.texts.push_back({t->getValue<std::string>("purpose"), t->getValue<std::string>("text_id"), t->getValue<int64_t>("text_version")});
    }
  // A schema-5 code names its purposes only: its grants were recorded when it was sent.
  if (auto purposes = o->getArray("purposes"))
    for (size_t i = 0; i < purposes->size(); ++i) r.texts.push_back({purposes->getElement<std::string>(static_cast<unsigned>(i)), "", 0});
}

constexpr const char* kSignupColumns =
    "SELECT id, phone, code_hash, request, channel, language, created_at, expires_at, attempts, used_at FROM signups ";

SignupRecord readSignup(Statement& st) {
  SignupRecord r;
  r.id = st.getInt(0);
  r.phone = st.getText(1);
  r.codeHash = st.getText(2);
  readRequest(st.getText(3), r);
  r.channel = st.getText(4);
  r.language = st.getText(5);
  r.createdAt = fromMicros(st.getInt(6));
  r.expiresAt = fromMicros(st.getInt(7));
  r.attempts = static_cast<int>(st.getInt(8));
  if (!st.isNull(9)) r.usedAt = fromMicros(st.getInt(9));
  return r;
}

}  // namespace

int64_t SqlSignups::add(const SignupRecord& r) {
  Statement& st = db_.cached(
      "INSERT INTO signups (phone, code_hash, request, channel, language, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id");
  st.bind(1, r.phone).bind(2, r.codeHash).bind(3, requestJson(r)).bind(4, r.channel).bind(5, r.language);
  st.bind(6, toMicros(r.createdAt)).bind(7, toMicros(r.expiresAt));
  return insertedId(st).value_or(0);
}

void SqlSignups::setCodeHash(int64_t id, const std::string& codeHash) {
  Statement& st = db_.cached("UPDATE signups SET code_hash = ?2 WHERE id = ?1");
  st.bind(1, id).bind(2, codeHash);
  st.run();
}

std::optional<SignupRecord> SqlSignups::find(int64_t id) {
  Statement& st = db_.cached(std::string(kSignupColumns) + "WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  SignupRecord r = readSignup(st);
  st.reset();
  return r;
}

std::vector<SignupRecord> SqlSignups::open(const std::string& phone, Timestamp now) {
  Statement& st = db_.cached(std::string(kSignupColumns) +
                             "WHERE phone = ?1 AND used_at IS NULL AND expires_at > ?2 ORDER BY id DESC");
  st.bind(1, phone).bind(2, toMicros(now));
  std::vector<SignupRecord> out;
  while (st.step()) out.push_back(readSignup(st));
  return out;
}

int64_t SqlSignups::countSince(const std::string& phone, Timestamp since) {
  Statement& st = db_.cached("SELECT count(*) FROM signups WHERE phone = ?1 AND created_at >= ?2");
  st.bind(1, phone).bind(2, toMicros(since));
  st.step();
  const int64_t n = st.getInt(0);
  st.reset();
  return n;
}

void SqlSignups::markUsed(int64_t id, Timestamp at) {
  Statement& st = db_.cached("UPDATE signups SET used_at = ?2 WHERE id = ?1");
  st.bind(1, id).bind(2, toMicros(at));
  st.run();
}

void SqlSignups::countAttempt(int64_t id) {
  Statement& st = db_.cached("UPDATE signups SET attempts = attempts + 1 WHERE id = ?1");
  st.bind(1, id);
  st.run();
}

int64_t SqlSignups::purge(Timestamp before) {
  Statement& st = db_.cached("DELETE FROM signups WHERE expires_at < ?1 OR used_at < ?1");
  st.bind(1, toMicros(before));
  st.run();
  return db_.changes();
}

void SqlRuntimeStatus::put(const std::string& key, const std::string& json, Timestamp at) {
  Statement& st = db_.cached(
      "INSERT INTO runtime_status (key, value, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  st.bind(1, key).bind(2, json).bind(3, toMicros(at));
  st.run();
}

std::map<std::string, std::pair<std::string, Timestamp>> SqlRuntimeStatus::get(const std::string& prefix) {
  Statement& st = db_.cached("SELECT key, value, updated_at FROM runtime_status WHERE substr(key, 1, length(?1)) = ?1 "
                             "ORDER BY key");
  st.bind(1, prefix);
  std::map<std::string, std::pair<std::string, Timestamp>> out;
  while (st.step()) out[st.getText(0)] = {st.getText(1), fromMicros(st.getInt(2))};
  return out;
}

std::optional<Timestamp> SqlRuntimeStatus::serverClock() {
  const std::string clock = db_.serverClockMicros();
  if (clock.empty()) return std::nullopt;
  return fromMicros(db_.queryInt("SELECT " + clock));
}

}  // namespace tocsin::sql
