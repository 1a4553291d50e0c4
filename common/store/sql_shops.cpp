// Shops' accounts, credits, lists and tags, and tracked links.
#include <algorithm>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "common/base/json_text.h"
#include "common/store/repositories.h"

namespace tocsin {

namespace {
constexpr const char* kShopStates[] = {"pending", "active", "suspended", "closed"};
constexpr const char* kCreditModes[] = {"balance", "quota", "unmetered"};
}  // namespace

const char* shopStateName(ShopState s) { return kShopStates[static_cast<int>(s)]; }
std::optional<ShopState> parseShopState(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (name == kShopStates[i]) return static_cast<ShopState>(i);
  return std::nullopt;
}
const char* creditModeName(CreditMode m) { return kCreditModes[static_cast<int>(m)]; }
std::optional<CreditMode> parseCreditMode(std::string_view name) {
  for (int i = 0; i < 3; ++i)
    if (name == kCreditModes[i]) return static_cast<CreditMode>(i);
  return std::nullopt;
}

namespace sql {
namespace {

constexpr const char* kShopColumns =
    "id, name, country, owner_phone, state, requested_senders, activation_hash, activation_expires, "
    "activation_attempts, moderation, tracking, credit_mode, balance, monthly_quota, quota_month, low_balance, "
    "low_alerted, created_by, created_at, activated_at, closed_at";

std::optional<Timestamp> optionalTime(const Statement& st, int col) {
  if (st.isNull(col)) return std::nullopt;
  return fromMicros(st.getInt(col));
}
std::optional<int64_t> micros(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return toMicros(*t);
}

std::string encodeList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + jsonString(items[i]);
  return out + "]";
}

std::vector<std::string> decodeList(const std::string& text) {
  std::vector<std::string> out;
  try {
    auto a = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
  } catch (const Poco::Exception& e) {
    throw StoreFailure::damaged("shops.requested_senders is not a list of strings: " + e.displayText());
  }
  return out;
}

Shop readShop(const Statement& st) {
  Shop s;
  s.id = st.getText(0);
  s.name = st.getText(1);
  s.country = st.getOptionalText(2).value_or("");
  s.ownerPhone = st.getOptionalText(3);
  const auto state = parseShopState(st.getText(4));
  if (!state) throw StoreFailure::damaged("shop " + s.id + " has an unknown state");
  s.state = *state;
  s.requestedSenders = decodeList(st.getText(5));
  s.activationHash = st.getOptionalText(6);
  s.activationExpires = optionalTime(st, 7);
  s.activationAttempts = st.getInt(8);
  s.moderation = st.getInt(9) != 0;
  s.tracking = st.getInt(10) != 0;
  const auto mode = parseCreditMode(st.getText(11));
  if (!mode) throw StoreFailure::damaged("shop " + s.id + " has an unknown credit mode");
  s.creditMode = *mode;
  s.balance = st.getInt(12);
  s.monthlyQuota = st.getOptionalInt(13);
  s.quotaMonth = st.getOptionalText(14);
  s.lowBalance = st.getInt(15);
  s.lowAlerted = st.getInt(16) != 0;
  s.createdBy = st.getText(17);
  s.createdAt = fromMicros(st.getInt(18));
  s.activatedAt = optionalTime(st, 19);
  s.closedAt = optionalTime(st, 20);
  return s;
}

std::string placeholders(int first, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  return out;
}

}  // namespace

void SqlShops::saveShop(const Shop& s) {
  Statement& st = db_.cached(std::string("INSERT INTO shops (") + kShopColumns + ") VALUES (" +
                             placeholders(1, 21) + ")" + replaceOnConflict("id", kShopColumns));
  st.bind(1, s.id).bind(2, s.name);
  st.bind(3, s.country.empty() ? std::nullopt : std::optional<std::string>(s.country));
  st.bind(4, s.ownerPhone).bind(5, shopStateName(s.state)).bind(6, encodeList(s.requestedSenders));
  st.bind(7, s.activationHash).bind(8, micros(s.activationExpires)).bind(9, s.activationAttempts);
  st.bind(10, s.moderation ? 1 : 0).bind(11, s.tracking ? 1 : 0).bind(12, creditModeName(s.creditMode));
  st.bind(13, s.balance).bind(14, s.monthlyQuota).bind(15, s.quotaMonth).bind(16, s.lowBalance);
  st.bind(17, s.lowAlerted ? 1 : 0).bind(18, s.createdBy).bind(19, toMicros(s.createdAt));
  st.bind(20, micros(s.activatedAt)).bind(21, micros(s.closedAt));
  st.run();
}

std::optional<Shop> SqlShops::findShop(const std::string& id) {
  Statement& st = db_.cached(std::string("SELECT ") + kShopColumns + " FROM shops WHERE id = ?1");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Shop s = readShop(st);
  st.reset();
  return s;
}

std::vector<Shop> SqlShops::shops() {
  Statement& st = db_.cached(std::string("SELECT ") + kShopColumns + " FROM shops ORDER BY id");
  std::vector<Shop> out;
  while (st.step()) out.push_back(readShop(st));
  return out;
}

void SqlShops::addCredit(const CreditEntry& e) {
  Statement& st = db_.cached(
      "INSERT INTO credit_entries (shop, job_id, kind, parts, balance_after, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  st.bind(1, e.shop).bind(2, e.job ? std::optional<int64_t>(*e.job) : std::nullopt).bind(3, e.kind).bind(4, e.parts);
  st.bind(5, e.balanceAfter).bind(6, e.actor).bind(7, toMicros(e.at));
  st.run();
}

std::vector<CreditEntry> SqlShops::credits(const std::string& shop, Timestamp from, Timestamp to) {
  Statement& st = db_.cached(
      "SELECT shop, job_id, kind, parts, balance_after, actor, at FROM credit_entries "
      "WHERE shop = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, id");
  st.bind(1, shop).bind(2, toMicros(from)).bind(3, toMicros(to));
  std::vector<CreditEntry> out;
  while (st.step()) {
    CreditEntry e;
    e.shop = st.getText(0);
    if (!st.isNull(1)) e.job = st.getInt(1);
    e.kind = st.getText(2);
    e.parts = st.getInt(3);
    e.balanceAfter = st.getInt(4);
    e.actor = st.getText(5);
    e.at = fromMicros(st.getInt(6));
    out.push_back(std::move(e));
  }
  return out;
}

namespace {
JobCredit readJobCredit(const Statement& st) {
  JobCredit c;
  c.job = st.getInt(0);
  c.shop = st.getText(1);
  c.reserved = st.getInt(2);
  c.charged = st.getInt(3);
  c.refunded = st.getInt(4);
  c.settledAt = optionalTime(st, 5);
  c.final = st.getInt(6) != 0;
  return c;
}
}  // namespace

void SqlShops::saveJobCredit(const JobCredit& c) {
  Statement& st = db_.cached(
      std::string("INSERT INTO job_credits (job_id, shop, reserved, charged, refunded, settled_at, final) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") +
      replaceOnConflict("job_id", "job_id, shop, reserved, charged, refunded, settled_at, final"));
  st.bind(1, c.job).bind(2, c.shop).bind(3, c.reserved).bind(4, c.charged).bind(5, c.refunded);
  st.bind(6, micros(c.settledAt)).bind(7, c.final ? 1 : 0);
  st.run();
}

std::optional<JobCredit> SqlShops::findJobCredit(JobId job) {
  Statement& st = db_.cached(
      "SELECT job_id, shop, reserved, charged, refunded, settled_at, final FROM job_credits WHERE job_id = ?1");
  st.bind(1, job);
  if (!st.step()) return std::nullopt;
  JobCredit c = readJobCredit(st);
  st.reset();
  return c;
}

std::vector<JobCredit> SqlShops::openJobCredits() {
  Statement& st = db_.cached(
      "SELECT job_id, shop, reserved, charged, refunded, settled_at, final FROM job_credits WHERE final = 0 ORDER BY job_id");
  std::vector<JobCredit> out;
  while (st.step()) out.push_back(readJobCredit(st));
  return out;
}

std::map<std::string, int64_t> SqlShops::partsByState(JobId job) {
  Statement& st = db_.cached(
      "SELECT state, sum(coalesce(parts, 1)) FROM messages WHERE id >= ?1 AND id < ?2 GROUP BY state");
  st.bind(1, job << 32).bind(2, (job + 1) << 32);
  std::map<std::string, int64_t> out;
  while (st.step()) out[st.getText(0)] = st.getInt(1);
  return out;
}

int64_t SqlShops::createList(const ContactList& l) {
  Statement& st = db_.cached("INSERT INTO contact_lists (shop, name, created_by, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id");
  st.bind(1, l.shop).bind(2, l.name).bind(3, l.createdBy).bind(4, toMicros(l.createdAt));
  return insertedId(st).value_or(0);
}

namespace {
constexpr const char* kListSelect =
    "SELECT l.id, l.shop, l.name, (SELECT count(*) FROM list_members m WHERE m.list_id = l.id), l.created_by, "
    "l.created_at FROM contact_lists l ";
ContactList readList(const Statement& st) {
  ContactList l;
  l.id = st.getInt(0);
  l.shop = st.getText(1);
  l.name = st.getText(2);
  l.members = st.getInt(3);
  l.createdBy = st.getText(4);
  l.createdAt = fromMicros(st.getInt(5));
  return l;
}
}  // namespace

std::optional<ContactList> SqlShops::findList(const std::string& shop, const std::string& name) {
  Statement& st = db_.cached(std::string(kListSelect) + "WHERE l.shop = ?1 AND l.name = ?2");
  st.bind(1, shop).bind(2, name);
  if (!st.step()) return std::nullopt;
  ContactList l = readList(st);
  st.reset();
  return l;
}

std::vector<ContactList> SqlShops::lists(const std::string& shop) {
  Statement& st = db_.cached(std::string(kListSelect) + "WHERE l.shop = ?1 ORDER BY l.name");
  st.bind(1, shop);
  std::vector<ContactList> out;
  while (st.step()) out.push_back(readList(st));
  return out;
}

void SqlShops::renameList(int64_t id, const std::string& name) {
  Statement& st = db_.cached("UPDATE contact_lists SET name = ?2 WHERE id = ?1");
  st.bind(1, id).bind(2, name);
  st.run();
}

void SqlShops::deleteList(int64_t id) {
  Statement& members = db_.cached("DELETE FROM list_members WHERE list_id = ?1");
  members.bind(1, id);
  members.run();
  Statement& st = db_.cached("DELETE FROM contact_lists WHERE id = ?1");
  st.bind(1, id);
  st.run();
}

void SqlShops::forgetLists(const std::string& shop) {
  Statement& members = db_.cached("DELETE FROM list_members WHERE list_id IN (SELECT id FROM contact_lists WHERE shop = ?1)");
  members.bind(1, shop);
  members.run();
  Statement& lists = db_.cached("DELETE FROM contact_lists WHERE shop = ?1");
  lists.bind(1, shop);
  lists.run();
  Statement& tags = db_.cached("DELETE FROM contact_tags WHERE shop = ?1");
  tags.bind(1, shop);
  tags.run();
}

bool SqlShops::addMember(int64_t list, ContactId contact) {
  Statement& st = db_.cached("INSERT INTO list_members (list_id, contact_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  st.bind(1, list).bind(2, contact);
  st.run();
  return db_.changes() > 0;
}

bool SqlShops::removeMember(int64_t list, ContactId contact) {
  Statement& st = db_.cached("DELETE FROM list_members WHERE list_id = ?1 AND contact_id = ?2");
  st.bind(1, list).bind(2, contact);
  st.run();
  return db_.changes() > 0;
}

bool SqlShops::tag(const std::string& shop, const std::string& tag, ContactId contact) {
  Statement& st = db_.cached("INSERT INTO contact_tags (shop, tag, contact_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  st.bind(1, shop).bind(2, tag).bind(3, contact);
  st.run();
  return db_.changes() > 0;
}

bool SqlShops::untag(const std::string& shop, const std::string& tag, ContactId contact) {
  Statement& st = db_.cached("DELETE FROM contact_tags WHERE shop = ?1 AND tag = ?2 AND contact_id = ?3");
  st.bind(1, shop).bind(2, tag).bind(3, contact);
  st.run();
  return db_.changes() > 0;
}

std::vector<std::pair<std::string, int64_t>> SqlShops::tags(const std::string& shop) {
  Statement& st = db_.cached("SELECT tag, count(*) FROM contact_tags WHERE shop = ?1 GROUP BY tag ORDER BY tag");
  st.bind(1, shop);
  std::vector<std::pair<std::string, int64_t>> out;
  while (st.step()) out.emplace_back(st.getText(0), st.getInt(1));
  return out;
}

// Each source is read in id order from its own index, at most `limit` rows after the cursor;
// their union, cut to `limit`, is the batch. The cursor is the last contact id of the batch.
ScanStep SqlShops::scanShopAudience(ScanCursor from, int64_t limit, const std::vector<int64_t>& lists,
                                       const std::string& shop, const std::vector<std::string>& tags,
                                       const std::vector<std::string>& zones, bool everyone, std::string_view purpose,
                                       const std::function<void(const AudienceMember&)>& visit) {
  ScanStep step;
  step.next = from;
  std::vector<std::string> sources;
  // ?1 cursor, ?2 limit, ?3 purpose, ?4 shop; then one parameter per list, tag and zone.
  int n = 5;
  // Every statement names ?3 and ?4, so that binding them is always in range.
  if (everyone) sources.push_back("SELECT id AS id FROM contacts WHERE id > ?1 AND ?3 IS NOT NULL AND ?4 IS NOT NULL ORDER BY id LIMIT ?2");
  for (size_t i = 0; i < lists.size(); ++i)
    sources.push_back("SELECT contact_id AS id FROM list_members WHERE list_id = ?" + std::to_string(n++) +
                      " AND contact_id > ?1 AND ?3 IS NOT NULL AND ?4 IS NOT NULL ORDER BY contact_id LIMIT ?2");
  for (size_t i = 0; i < tags.size(); ++i)
    sources.push_back("SELECT contact_id AS id FROM contact_tags WHERE shop = ?4 AND tag = ?" + std::to_string(n++) +
                      " AND contact_id > ?1 AND ?3 IS NOT NULL ORDER BY contact_id LIMIT ?2");
  for (size_t i = 0; i < zones.size(); ++i)
    sources.push_back("SELECT id AS id FROM contacts WHERE zone = ?" + std::to_string(n++) +
                      " AND id > ?1 AND ?3 IS NOT NULL AND ?4 IS NOT NULL ORDER BY id LIMIT ?2");
  if (sources.empty()) {
    step.finished = true;
    return step;
  }
  std::string unionSql;
  for (size_t i = 0; i < sources.size(); ++i)
    unionSql += (i ? " UNION SELECT * FROM (" : "SELECT * FROM (") + sources[i] + ") AS s" + std::to_string(i);
  auto bindAll = [&](Statement& statement) {
    statement.bind(1, from).bind(2, limit).bind(3, purpose).bind(4, shop);
    int k = 5;
    for (int64_t l : lists) statement.bind(k++, l);
    for (const auto& t : tags) statement.bind(k++, t);
    for (const auto& z : zones) statement.bind(k++, z);
  };
  Statement& st = db_.cached(
      "SELECT c.id, c.phone, c.region, c.source, c.name, c.language, c.time_zone, c.zone, c.latitude, c.longitude, "
      "s.state, s.since FROM (SELECT id FROM (" + unionSql + ") AS u ORDER BY 1 LIMIT ?2) m JOIN contacts c ON c.id = m.id "
      "LEFT JOIN consent_state s ON s.contact_id = c.id AND s.purpose = ?3 ORDER BY c.id");
  bindAll(st);
  AudienceMember m;
  int64_t rows = 0;
  while (st.step()) {
    ++rows;
    readAudienceRow(st, m);
    step.next = m.id;
    visit(m);
  }
  step.scanned = rows;
  // A member whose contact was deleted leaves a gap but still counts towards the limit: only a
  // batch that found fewer ids than asked for ends the walk.
  if (rows < limit) {
    Statement& ids = db_.cached("SELECT count(*), max(id) FROM (SELECT id FROM (" + unionSql + ") AS u ORDER BY 1 LIMIT ?2) AS r");
    bindAll(ids);
    if (ids.step()) {
      step.finished = ids.getInt(0) < limit;
      if (!step.finished && !ids.isNull(1)) step.next = ids.getInt(1);
    }
    ids.reset();
  }
  return step;
}

void SqlShops::insertLink(const LinkRecord& l) {
  Statement& st = db_.cached("INSERT INTO links (code, job_id, contact_id, url, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  st.bind(1, l.code).bind(2, l.job).bind(3, l.contact ? std::optional<int64_t>(*l.contact) : std::nullopt);
  st.bind(4, l.url).bind(5, toMicros(l.createdAt));
  st.run();
  Statement& count = db_.cached(
      "INSERT INTO job_clicks (job_id, links) VALUES (?1, 1) ON CONFLICT (job_id) DO UPDATE SET links = job_clicks.links + 1");
  count.bind(1, l.job);
  count.run();
}

std::optional<std::string> SqlShops::linkTarget(const std::string& code) {
  Statement& st = db_.cached("SELECT url FROM links WHERE code = ?1");
  st.bind(1, code);
  if (!st.step()) return std::nullopt;
  std::string url = st.getText(0);
  st.reset();
  return url;
}

void SqlShops::recordClicks(const std::vector<LinkClick>& clicks) {
  Statement& st = db_.cached(
      "UPDATE links SET clicks = clicks + 1, first_click = coalesce(first_click, ?2), last_click = ?2 "
      "WHERE code = ?1 RETURNING job_id, clicks");
  Statement& count = db_.cached(
      "INSERT INTO job_clicks (job_id, clicks, clicked) VALUES (?1, 1, ?2) ON CONFLICT (job_id) DO UPDATE SET "
      "clicks = job_clicks.clicks + 1, clicked = job_clicks.clicked + excluded.clicked");
  for (const LinkClick& c : clicks) {
    st.bind(1, c.code).bind(2, toMicros(c.at));
    if (!st.step()) {
      st.reset();
      continue;
    }
    const JobId job = st.getInt(0);
    const bool first = st.getInt(1) == 1;
    st.reset();
    count.bind(1, job).bind(2, first ? 1 : 0);
    count.run();
  }
}

ClickCounts SqlShops::clicks(JobId job) {
  Statement& st = db_.cached("SELECT links, clicks, clicked FROM job_clicks WHERE job_id = ?1");
  st.bind(1, job);
  ClickCounts c;
  if (st.step()) {
    c.links = st.getInt(0);
    c.clicks = st.getInt(1);
    c.clicked = st.getInt(2);
  }
  st.reset();
  return c;
}

std::vector<UrlClicks> SqlShops::clicksByUrl(JobId job) {
  Statement& st = db_.cached(
      "SELECT url, count(*), sum(clicks), sum(CASE WHEN clicks > 0 THEN 1 ELSE 0 END) FROM links WHERE job_id = ?1 GROUP BY url ORDER BY url LIMIT 1000");
  st.bind(1, job);
  std::vector<UrlClicks> out;
  while (st.step()) out.push_back({st.getText(0), {st.getInt(1), st.getInt(2), st.getInt(3)}});
  return out;
}

int64_t SqlShops::purgeLinks(Timestamp createdBefore) {
  Statement& st = db_.cached("DELETE FROM links WHERE created_at < ?1");
  st.bind(1, toMicros(createdBefore));
  st.run();
  return db_.changes();
}

}  // namespace sql
}  // namespace tocsin
