// People and the sender IDs approved for shops.
#include "common/store/sqlite_repositories.h"

namespace tocsin::sql {
namespace {

constexpr const char* kPersonColumns = "name, os_user, created_by, created_at, disabled_at";

Person readPerson(const Statement& st) {
  Person p;
  p.name = st.getText(0);
  p.osUser = st.getOptionalText(1);
  p.createdBy = st.getText(2);
  p.createdAt = fromMicros(st.getInt(3));
  if (auto d = st.getOptionalInt(4)) p.disabledAt = fromMicros(*d);
  return p;
}

}  // namespace

void SqlitePeople::insert(const Person& p) {
  Statement& st = db_.cached("INSERT INTO people (name, os_user, created_by, created_at) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, p.name).bind(2, p.osUser).bind(3, p.createdBy).bind(4, toMicros(p.createdAt));
  st.run();
}

std::optional<Person> SqlitePeople::find(const std::string& name) {
  Statement& st = db_.cached(std::string("SELECT ") + kPersonColumns + " FROM people WHERE name = ?1");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  Person p = readPerson(st);
  st.reset();
  return p;
}

std::optional<Person> SqlitePeople::findByOsUser(const std::string& osUser) {
  Statement& st = db_.cached(std::string("SELECT ") + kPersonColumns + " FROM people WHERE os_user = ?1");
  st.bind(1, osUser);
  if (!st.step()) return std::nullopt;
  Person p = readPerson(st);
  st.reset();
  return p;
}

std::vector<Person> SqlitePeople::list() {
  Statement& st = db_.cached(std::string("SELECT ") + kPersonColumns + " FROM people ORDER BY name");
  std::vector<Person> out;
  while (st.step()) out.push_back(readPerson(st));
  return out;
}

void SqlitePeople::disable(const std::string& name, Timestamp at) {
  Statement& st = db_.cached("UPDATE people SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL");
  st.bind(1, name).bind(2, toMicros(at));
  st.run();
}

void SqliteSenders::approve(const std::string& shop, const std::string& sender, const std::string& by, Timestamp at) {
  Statement& st = db_.cached(
      "INSERT INTO shop_senders (shop, sender, approved_by, approved_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
  st.bind(1, shop).bind(2, sender).bind(3, by).bind(4, toMicros(at));
  st.run();
}

bool SqliteSenders::revoke(const std::string& shop, const std::string& sender) {
  Statement& st = db_.cached("DELETE FROM shop_senders WHERE shop = ?1 AND sender = ?2");
  st.bind(1, shop).bind(2, sender);
  st.run();
  return db_.changes() > 0;
}

bool SqliteSenders::isApproved(const std::string& shop, const std::string& sender) {
  Statement& st = db_.cached("SELECT 1 FROM shop_senders WHERE shop = ?1 AND sender = ?2");
  st.bind(1, shop).bind(2, sender);
  const bool found = st.step();
  st.reset();
  return found;
}

std::vector<std::string> SqliteSenders::approved(const std::string& shop) {
  Statement& st = db_.cached("SELECT sender FROM shop_senders WHERE shop = ?1 ORDER BY sender");
  st.bind(1, shop);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.getText(0));
  return out;
}

}  // namespace tocsin::sql
