#include "common/store/repositories.h"

#include "common/store/row_digest.h"

namespace tocsin::sql {
extern const char* const kConsentEventColumns;
const char* const kConsentEventColumns =
    "e.id, e.contact_id, e.purpose, e.action, e.text_id, e.text_version, e.text_sha256, e.language, e.channel, "
    "e.method, e.evidence, e.recorded_at";

ConsentEvent readConsentEvent(const Statement& st) {
  ConsentEvent e;
  e.id = st.getInt(0);
  e.contactId = st.getInt(1);
  e.purpose = st.getText(2);
  e.action = parseConsentAction(st.getText(3)).value_or(ConsentAction::kWithdrawn);
  e.textId = st.getOptionalText(4);
  e.textVersion = st.getOptionalInt(5);
  e.textSha256 = st.getOptionalText(6);
  e.language = st.getText(7);
  e.channel = st.getText(8);
  e.method = st.getText(9);
  e.evidence = st.getOptionalText(10);
  e.recordedAt = fromMicros(st.getInt(11));
  return e;
}

ConsentText readConsentText(const Statement& st) {
  ConsentText t;
  t.id = st.getInt(0);
  t.textId = st.getText(1);
  t.language = st.getText(2);
  t.version = st.getInt(3);
  t.sha256 = st.getText(4);
  t.body = st.getText(5);
  t.createdAt = fromMicros(st.getInt(6));
  return t;
}

const char* const kConsentTextColumns = "id, text_id, language, version, sha256, body, created_at";

int64_t SqlConsent::append(const ConsentEvent& e) {
  Statement& st = db_.cached(
      "INSERT INTO consent_events (contact_id, purpose, action, text_id, text_version, text_sha256, language, "
      "channel, method, evidence, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id");
  st.bind(1, e.contactId)
      .bind(2, e.purpose)
      .bind(3, consentActionName(e.action))
      .bind(4, e.textId)
      .bind(5, e.textVersion)
      .bind(6, e.textSha256)
      .bind(7, e.language)
      .bind(8, e.channel)
      .bind(9, e.method)
      .bind(10, e.evidence)
      .bind(11, toMicros(e.recordedAt));
  ConsentEvent stored = e;
  stored.id = insertedId(st).value_or(0);
  proven_.push_back({provenRow(stored), false, {}});
  return stored.id;
}

std::vector<ConsentEvent> SqlConsent::history(ContactId contact) {
  static const std::string sql =
      std::string("SELECT ") + kConsentEventColumns + " FROM consent_events e WHERE e.contact_id = ?1 ORDER BY e.id";
  Statement& st = db_.cached(sql);
  st.bind(1, contact);
  std::vector<ConsentEvent> out;
  while (st.step()) out.push_back(readConsentEvent(st));
  return out;
}

std::optional<ConsentEvent> SqlConsent::latest(ContactId contact, std::string_view purpose) {
  static const std::string sql = std::string("SELECT ") + kConsentEventColumns +
                                 " FROM consent_events e WHERE e.contact_id = ?1 AND e.purpose = ?2 "
                                 "ORDER BY e.id DESC LIMIT 1";
  Statement& st = db_.cached(sql);
  st.bind(1, contact).bind(2, purpose);
  if (!st.step()) return std::nullopt;
  return readConsentEvent(st);
}

bool SqlConsent::hasValidConsent(ContactId contact, std::string_view purpose, Timestamp asOf) {
  Statement& st = db_.cached(
      "SELECT EXISTS (SELECT 1 FROM consent_events c WHERE c.contact_id = ?1 AND c.purpose = ?2 "
      "AND c.action = 'confirmed' AND c.recorded_at <= ?3 AND NOT EXISTS (SELECT 1 FROM consent_events w "
      "WHERE w.contact_id = ?1 AND w.purpose = ?2 AND w.action = 'withdrawn' AND w.recorded_at <= ?3 AND w.id > c.id))");
  st.bind(1, contact).bind(2, purpose).bind(3, toMicros(asOf));
  return st.step() && st.getInt(0) != 0;
}

void SqlConsent::forEachForExport(const ConsentExportFilter& f,
                                     const std::function<void(const ConsentEvent&, const std::string& phone)>& visit) {
  static const std::string sql = std::string("SELECT ") + kConsentEventColumns +
                                 ", c.phone FROM consent_events e JOIN contacts c ON c.id = e.contact_id "
                                 "WHERE (CAST(?1 AS BIGINT) IS NULL OR e.recorded_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR e.recorded_at < ?2) "
                                 "AND (CAST(?3 AS TEXT) IS NULL OR e.purpose = ?3) ORDER BY e.id";
  Statement& st = db_.cached(sql);
  if (f.from) st.bind(1, toMicros(*f.from));
  if (f.to) st.bind(2, toMicros(*f.to));
  st.bind(3, f.purpose);
  while (st.step()) visit(readConsentEvent(st), st.getText(12));
}

int64_t SqlConsent::countEvents() { return db_.queryInt("SELECT count(*) FROM consent_events"); }

std::optional<ConsentText> SqlConsent::findText(std::string_view textId, std::string_view language,
                                                   std::optional<int64_t> version) {
  static const std::string sql = std::string("SELECT ") + kConsentTextColumns +
                                 " FROM consent_texts WHERE text_id = ?1 AND language = ?2 "
                                 "AND (CAST(?3 AS BIGINT) IS NULL OR version = ?3) ORDER BY version DESC LIMIT 1";
  Statement& st = db_.cached(sql);
  st.bind(1, textId).bind(2, language).bind(3, version);
  if (!st.step()) return std::nullopt;
  return readConsentText(st);
}

std::optional<ConsentText> SqlConsent::findTextByHash(std::string_view textId, std::string_view language,
                                                         std::string_view sha256) {
  static const std::string sql = std::string("SELECT ") + kConsentTextColumns +
                                 " FROM consent_texts WHERE text_id = ?1 AND language = ?2 AND sha256 = ?3";
  Statement& st = db_.cached(sql);
  st.bind(1, textId).bind(2, language).bind(3, sha256);
  if (!st.step()) return std::nullopt;
  return readConsentText(st);
}

ConsentText SqlConsent::insertText(const ConsentText& text) {
  Statement& st = db_.cached(
      "INSERT INTO consent_texts (text_id, language, version, sha256, body, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
  st.bind(1, text.textId)
      .bind(2, text.language)
      .bind(3, text.version)
      .bind(4, text.sha256)
      .bind(5, text.body)
      .bind(6, toMicros(text.createdAt));
  ConsentText out = text;
  out.id = insertedId(st).value_or(0);
  proven_.push_back({provenRow(out), false, {}});
  return out;
}

std::optional<ConsentStanding> SqlConsent::standing(ContactId contact, std::string_view purpose) {
  Statement& st = db_.cached("SELECT state, since FROM consent_state WHERE contact_id = ?1 AND purpose = ?2");
  st.bind(1, contact).bind(2, purpose);
  if (!st.step()) return std::nullopt;
  return ConsentStanding{parseConsentAction(st.getText(0)).value_or(ConsentAction::kGranted), fromMicros(st.getInt(1))};
}

std::unordered_map<ContactId, ConsentStanding> SqlConsent::standingOf(const std::vector<ContactId>& contacts,
                                                                         std::string_view purpose) {
  std::unordered_map<ContactId, ConsentStanding> out;
  if (contacts.empty()) return out;
  Statement& st = db_.cached("SELECT contact_id, state, since FROM consent_state WHERE purpose = ?2 AND " +
                             db_.integerIn("contact_id", 1));
  st.bind(1, jsonIntegers(contacts)).bind(2, purpose);
  while (st.step())
    out.emplace(st.getInt(0), ConsentStanding{parseConsentAction(st.getText(1)).value_or(ConsentAction::kGranted),
                                              fromMicros(st.getInt(2))});
  return out;
}

std::vector<std::pair<std::string, ConsentStanding>> SqlConsent::standings(ContactId contact) {
  Statement& st = db_.cached("SELECT purpose, state, since FROM consent_state WHERE contact_id = ?1 ORDER BY purpose");
  st.bind(1, contact);
  std::vector<std::pair<std::string, ConsentStanding>> out;
  while (st.step())
    out.emplace_back(st.getText(0), ConsentStanding{parseConsentAction(st.getText(1)).value_or(ConsentAction::kGranted),
                                                    fromMicros(st.getInt(2))});
  return out;
}

std::optional<std::string> SqlConsent::textPurpose(std::string_view textId) {
  Statement& st = db_.cached("SELECT purpose FROM consent_text_purposes WHERE text_id = ?1");
  st.bind(1, textId);
  if (!st.step()) return std::nullopt;
  std::string purpose = st.getText(0);
  st.reset();
  return purpose;
}

void SqlConsent::bindTextPurpose(std::string_view textId, std::string_view purpose) {
  Statement& st = db_.cached("INSERT INTO consent_text_purposes (text_id, purpose) VALUES (?1, ?2)");
  st.bind(1, textId).bind(2, purpose);
  st.run();
}

std::vector<ConsentText> SqlConsent::currentTexts(std::string_view purpose) {
  static const std::string sql =
      "SELECT t.id, t.text_id, t.language, t.version, t.sha256, t.body, t.created_at FROM consent_texts t "
      "JOIN consent_text_purposes p ON p.text_id = t.text_id WHERE p.purpose = ?1 AND t.version = "
      "(SELECT max(version) FROM consent_texts n WHERE n.text_id = t.text_id AND n.language = t.language) "
      "ORDER BY t.text_id, t.language";
  Statement& st = db_.cached(sql);
  st.bind(1, purpose);
  std::vector<ConsentText> out;
  while (st.step()) out.push_back(readConsentText(st));
  return out;
}

}  // namespace tocsin::sql
