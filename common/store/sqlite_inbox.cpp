#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "common/base/json_text.h"
#include "common/store/sqlite_repositories.h"

namespace tocsin::sql {

int64_t SqliteInbox::addIncoming(const IncomingRecord& m) {
  Statement& st = db_.cached(
      "INSERT INTO incoming_messages (contact_id, sender, recipient, body, bearer, intent, outcome, received_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.bind(1, m.contact).bind(2, m.sender).bind(3, m.recipient).bind(4, m.body).bind(5, m.bearer).bind(6, m.intent);
  st.bind(7, m.outcome).bind(8, toMicros(m.receivedAt));
  st.run();
  return db_.lastInsertRowid();
}

int64_t SqliteInbox::addCode(const ConfirmationCode& c) {
  std::string purposes = "[";
  for (size_t i = 0; i < c.purposes.size(); ++i) {
    if (i) purposes += ',';
    appendJsonString(purposes, c.purposes[i]);
  }
  purposes += "]";
  Statement& st = db_.cached(
      "INSERT INTO confirmation_codes (contact_id, purposes, code_hash, channel, language, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  st.bind(1, c.contact).bind(2, purposes).bind(3, c.codeHash).bind(4, c.channel).bind(5, c.language);
  st.bind(6, toMicros(c.createdAt)).bind(7, toMicros(c.expiresAt));
  st.run();
  return db_.lastInsertRowid();
}

std::vector<ConfirmationCode> SqliteInbox::openCodes(ContactId contact, Timestamp now) {
  Statement& st = db_.cached(
      "SELECT id, contact_id, purposes, code_hash, channel, language, created_at, expires_at, attempts FROM "
      "confirmation_codes WHERE contact_id = ?1 AND used_at IS NULL AND expires_at > ?2 ORDER BY id DESC");
  st.bind(1, contact).bind(2, toMicros(now));
  std::vector<ConfirmationCode> out;
  while (st.step()) {
    ConfirmationCode c;
    c.id = st.getInt(0);
    c.contact = st.getInt(1);
    auto list = Poco::JSON::Parser().parse(st.getText(2)).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) c.purposes.push_back(list->getElement<std::string>(static_cast<unsigned>(i)));
    c.codeHash = st.getText(3);
    c.channel = st.getText(4);
    c.language = st.getText(5);
    c.createdAt = fromMicros(st.getInt(6));
    c.expiresAt = fromMicros(st.getInt(7));
    c.attempts = static_cast<int>(st.getInt(8));
    out.push_back(std::move(c));
  }
  return out;
}

void SqliteInbox::markCodeUsed(int64_t id, Timestamp at) {
  Statement& st = db_.cached("UPDATE confirmation_codes SET used_at = ?2 WHERE id = ?1");
  st.bind(1, id).bind(2, toMicros(at));
  st.run();
}

void SqliteInbox::countCodeAttempt(int64_t id) {
  Statement& st = db_.cached("UPDATE confirmation_codes SET attempts = attempts + 1 WHERE id = ?1");
  st.bind(1, id);
  st.run();
}

void SqliteRuntimeStatus::put(const std::string& key, const std::string& json, Timestamp at) {
  Statement& st = db_.cached(
      "INSERT INTO runtime_status (key, value, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  st.bind(1, key).bind(2, json).bind(3, toMicros(at));
  st.run();
}

std::map<std::string, std::pair<std::string, Timestamp>> SqliteRuntimeStatus::get(const std::string& prefix) {
  Statement& st = db_.cached("SELECT key, value, updated_at FROM runtime_status WHERE substr(key, 1, length(?1)) = ?1 "
                             "ORDER BY key");
  st.bind(1, prefix);
  std::map<std::string, std::pair<std::string, Timestamp>> out;
  while (st.step()) out[st.getText(0)] = {st.getText(1), fromMicros(st.getInt(2))};
  return out;
}

}  // namespace tocsin::sql
