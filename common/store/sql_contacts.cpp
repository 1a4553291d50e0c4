#include <algorithm>

#include "common/store/repositories.h"

namespace tocsin::sql {
namespace {

constexpr const char* kColumns =
    "id, phone, number_type, region, name, language, time_zone, zone, latitude, longitude, source, created_at, "
    "updated_at";

std::optional<double> optionalDouble(const Statement& st, int col) {
  if (st.isNull(col)) return std::nullopt;
  return st.getDouble(col);
}

Contact readContact(const Statement& st) {
  Contact c;
  c.id = st.getInt(0);
  c.phone = st.getText(1);
  c.numberType = st.getText(2);
  c.region = st.getText(3);
  c.details.name = st.getOptionalText(4);
  c.details.language = st.getOptionalText(5);
  c.details.timeZone = st.getOptionalText(6);
  c.details.zone = st.getOptionalText(7);
  c.details.latitude = optionalDouble(st, 8);
  c.details.longitude = optionalDouble(st, 9);
  c.source = st.getText(10);
  c.createdAt = fromMicros(st.getInt(11));
  c.updatedAt = fromMicros(st.getInt(12));
  return c;
}

void bindDetails(Statement& st, int first, const ContactDetails& d) {
  st.bind(first, d.name)
      .bind(first + 1, d.language)
      .bind(first + 2, d.timeZone)
      .bind(first + 3, d.zone)
      .bind(first + 4, d.latitude)
      .bind(first + 5, d.longitude);
}

}  // namespace

std::optional<Contact> SqlContacts::findByPhone(std::string_view e164) {
  static const std::string sql = std::string("SELECT ") + kColumns + " FROM contacts WHERE phone = ?1";
  Statement& st = db_.cached(sql);
  st.bind(1, e164);
  if (!st.step()) return std::nullopt;
  return readContact(st);
}

std::optional<Contact> SqlContacts::findById(ContactId id) {
  static const std::string sql = std::string("SELECT ") + kColumns + " FROM contacts WHERE id = ?1";
  Statement& st = db_.cached(sql);
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return readContact(st);
}

std::vector<Contact> SqlContacts::findByIds(const std::vector<ContactId>& ids) {
  std::vector<Contact> out;
  if (ids.empty()) return out;
  // Not a static string: its text depends on this connection's engine.
  Statement& st =
      db_.cached(std::string("SELECT ") + kColumns + " FROM contacts WHERE " + db_.integerIn("id", 1) + " ORDER BY id");
  st.bind(1, jsonIntegers(ids));
  while (st.step()) out.push_back(readContact(st));
  return out;
}

namespace {

constexpr const char* kInsert =
    "INSERT INTO contacts (phone, number_type, region, name, language, time_zone, zone, latitude, longitude, "
    "source, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";
constexpr const char* kReturningId = " RETURNING id";

void bindNew(Statement& st, const NewContact& c) {
  st.bind(1, c.phone).bind(2, c.numberType).bind(3, c.region);
  bindDetails(st, 4, c.details);
  st.bind(10, c.source).bind(11, toMicros(c.at));
}

}  // namespace

ContactId SqlContacts::insert(const NewContact& c) {
  static const std::string sql = std::string(kInsert) + kReturningId;
  Statement& st = db_.cached(sql);
  bindNew(st, c);
  return insertedId(st).value_or(0);
}

std::optional<ContactId> SqlContacts::insertIfAbsent(const NewContact& c) {
  static const std::string sql = std::string(kInsert) + " ON CONFLICT (phone) DO NOTHING" + kReturningId;
  Statement& st = db_.cached(sql);
  bindNew(st, c);
  return insertedId(st);
}

void SqlContacts::updateDetails(ContactId id, const ContactDetails& details, Timestamp at) {
  Statement& st = db_.cached(
      "UPDATE contacts SET name = ?2, language = ?3, time_zone = ?4, zone = ?5, latitude = ?6, longitude = ?7, "
      "updated_at = ?8 WHERE id = ?1");
  st.bind(1, id);
  bindDetails(st, 2, details);
  st.bind(8, toMicros(at));
  st.run();
}

int64_t SqlContacts::count() { return db_.queryInt("SELECT count(*) FROM contacts"); }

void SqlContacts::list(ContactId afterId, int64_t limit, const std::function<void(const Contact&)>& visit) {
  static const std::string sql =
      std::string("SELECT ") + kColumns + " FROM contacts WHERE id > ?1 ORDER BY id LIMIT ?2";
  Statement& st = db_.cached(sql);
  st.bind(1, afterId).bind(2, limit);
  while (st.step()) visit(readContact(st));
}

AudienceRange audienceRange(Database& db, ScanCursor from, int64_t limit, std::vector<std::string> zones) {
  std::sort(zones.begin(), zones.end());
  zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
  AudienceRange r;
  const auto zoneIndex = static_cast<size_t>(from >> 32);
  r.after = from & 0xffffffffLL;
  r.last = r.after;
  r.step.next = from;
  if (!zones.empty() && zoneIndex >= zones.size()) {
    r.step.finished = true;
    return r;
  }
  if (!zones.empty()) r.zone = zones[zoneIndex];
  // Planned anew each time, for the zone it names: zones are as uneven as towns are (500,000
  // contacts in one, ten in the next), and a plan kept for an average zone (PostgreSQL's generic
  // plan of a prepared statement) scanned every contact to find a small zone's few.
  const std::unique_ptr<Statement> bound = db.prepare(
      r.zone ? "SELECT max(id), count(*) FROM (SELECT id FROM contacts WHERE zone = ?3 AND id > ?1 ORDER BY id LIMIT ?2) AS r"
             : "SELECT max(id), count(*) FROM (SELECT id FROM contacts WHERE id > ?1 ORDER BY id LIMIT ?2) AS r");
  bound->bind(1, r.after).bind(2, limit);
  if (r.zone) bound->bind(3, *r.zone);
  if (bound->step() && !bound->isNull(0)) {
    r.last = bound->getInt(0);
    r.step.scanned = bound->getInt(1);
  }
  bound->reset();
  r.dense = r.step.scanned * 4 >= r.last - r.after;
  const auto base = static_cast<ScanCursor>(zoneIndex) << 32;
  const bool exhausted = r.step.scanned < limit;  // this zone (or the table) is done
  r.step.finished = exhausted && (zones.empty() || zoneIndex + 1 == zones.size());
  r.step.next = exhausted && !zones.empty() ? base + (ScanCursor{1} << 32) : base + r.last;
  return r;
}

std::string AudienceRange::zoneCondition(int n) const {
  if (!zone) return "";
  // Comparing an expression (the zone with nothing appended) keeps the planner off the zone index.
  return std::string(" AND ") + (dense ? "c.zone || ''" : "c.zone") + " = ?" + std::to_string(n);
}

void readAudienceRow(const Statement& st, AudienceMember& m) {
  m.id = st.getInt(0);
  m.phone = st.getText(1);
  m.region = st.getText(2);
  m.source = st.getText(3);
  m.name = st.getOptionalText(4);
  m.language = st.getOptionalText(5);
  m.timeZone = st.getOptionalText(6);
  m.zone = st.getOptionalText(7);
  m.latitude = optionalDouble(st, 8);
  m.longitude = optionalDouble(st, 9);
  m.standing.reset();
  if (!st.isNull(10))
    m.standing = ConsentStanding{parseConsentAction(st.getText(10)).value_or(ConsentAction::kGranted), fromMicros(st.getInt(11))};
}

ScanStep SqlContacts::scanAudience(ScanCursor from, int64_t limit, const std::vector<std::string>& zones,
                                      std::string_view purpose, const std::function<void(const AudienceMember&)>& visit) {
  const AudienceRange range = audienceRange(db_, from, limit, zones);
  if (range.step.scanned == 0) return range.step;
  Statement& st = db_.cached(std::string(
      "SELECT c.id, c.phone, c.region, c.source, c.name, c.language, c.time_zone, c.zone, c.latitude, c.longitude, "
      "s.state, s.since FROM contacts c LEFT JOIN consent_state s ON s.contact_id = c.id AND s.purpose = ?3 "
      "WHERE c.id > ?1 AND c.id <= ?2") + range.zoneCondition(4) + " ORDER BY c.id");
  st.bind(1, range.after).bind(2, range.last).bind(3, purpose);
  if (range.zone) st.bind(4, *range.zone);
  AudienceMember m;
  while (st.step()) {
    readAudienceRow(st, m);
    visit(m);
  }
  return range.step;
}

}  // namespace tocsin::sql
