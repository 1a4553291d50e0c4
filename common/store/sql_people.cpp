// People and the sender IDs approved for shops.
#include "common/store/repositories.h"

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

void SqlPeople::insert(const Person& p) {
  Statement& st = db_.cached("INSERT INTO people (name, os_user, created_by, created_at) VALUES (?1, ?2, ?3, ?4)");
  st.bind(1, p.name).bind(2, p.osUser).bind(3, p.createdBy).bind(4, toMicros(p.createdAt));
  st.run();
}

std::optional<Person> SqlPeople::find(const std::string& name) {
  Statement& st = db_.cached(std::string("SELECT ") + kPersonColumns + " FROM people WHERE name = ?1");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  Person p = readPerson(st);
  st.reset();
  return p;
}

std::optional<Person> SqlPeople::findByOsUser(const std::string& osUser) {
  Statement& st = db_.cached(std::string("SELECT ") + kPersonColumns + " FROM people WHERE os_user = ?1");
  st.bind(1, osUser);
  if (!st.step()) return std::nullopt;
  Person p = readPerson(st);
  st.reset();
  return p;
}

std::vector<Person> SqlPeople::list() {
  Statement& st = db_.cached(std::string("SELECT ") + kPersonColumns + " FROM people ORDER BY name");
  std::vector<Person> out;
  while (st.step()) out.push_back(readPerson(st));
  return out;
}

void SqlPeople::disable(const std::string& name, Timestamp at) {
  Statement& st = db_.cached("UPDATE people SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL");
  st.bind(1, name).bind(2, toMicros(at));
  st.run();
}

void SqlSenders::approve(const std::string& shop, const std::string& sender, const std::string& by, Timestamp at) {
  Statement& st = db_.cached(
      "INSERT INTO shop_senders (shop, sender, approved_by, approved_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
  st.bind(1, shop).bind(2, sender).bind(3, by).bind(4, toMicros(at));
  st.run();
}

bool SqlSenders::revoke(const std::string& shop, const std::string& sender) {
  Statement& st = db_.cached("DELETE FROM shop_senders WHERE shop = ?1 AND sender = ?2");
  st.bind(1, shop).bind(2, sender);
  st.run();
  return db_.changes() > 0;
}

bool SqlSenders::isApproved(const std::string& shop, const std::string& sender) {
  Statement& st = db_.cached("SELECT 1 FROM shop_senders WHERE shop = ?1 AND sender = ?2");
  st.bind(1, shop).bind(2, sender);
  const bool found = st.step();
  st.reset();
  return found;
}

std::vector<std::string> SqlSenders::approved(const std::string& shop) {
  Statement& st = db_.cached("SELECT sender FROM shop_senders WHERE shop = ?1 ORDER BY sender");
  st.bind(1, shop);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.getText(0));
  return out;
}

}  // namespace tocsin::sql

namespace tocsin::sql {
namespace {

constexpr const char* kAccountColumns =
    "person, role, shop, password_hash, totp_secret, totp_confirmed, totp_last_step, failures, locked_until, "
    "created_at, updated_at";

ConsoleAccount readAccount(const Statement& st) {
  ConsoleAccount a;
  a.person = st.getText(0);
  a.role = st.getText(1);
  a.shop = st.getOptionalText(2);
  a.passwordHash = st.getText(3);
  a.totpSecret = st.getOptionalText(4);
  a.totpConfirmed = st.getInt(5) != 0;
  a.totpLastStep = st.getInt(6);
  a.failures = st.getInt(7);
  if (auto l = st.getOptionalInt(8)) a.lockedUntil = fromMicros(*l);
  a.createdAt = fromMicros(st.getInt(9));
  a.updatedAt = fromMicros(st.getInt(10));
  return a;
}

}  // namespace

void SqlConsole::saveAccount(const ConsoleAccount& a) {
  Statement& st = db_.cached(std::string("INSERT INTO console_accounts (") + kAccountColumns +
                             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)" +
                             replaceOnConflict("person", kAccountColumns));
  std::optional<int64_t> locked;
  if (a.lockedUntil) locked = toMicros(*a.lockedUntil);
  st.bind(1, a.person).bind(2, a.role).bind(3, a.shop).bind(4, a.passwordHash).bind(5, a.totpSecret);
  st.bind(6, a.totpConfirmed ? 1 : 0).bind(7, a.totpLastStep).bind(8, a.failures).bind(9, locked);
  st.bind(10, toMicros(a.createdAt)).bind(11, toMicros(a.updatedAt));
  st.run();
}

std::optional<ConsoleAccount> SqlConsole::findAccount(const std::string& person) {
  Statement& st = db_.cached(std::string("SELECT ") + kAccountColumns + " FROM console_accounts WHERE person = ?1");
  st.bind(1, person);
  if (!st.step()) return std::nullopt;
  ConsoleAccount a = readAccount(st);
  st.reset();
  return a;
}

std::vector<ConsoleAccount> SqlConsole::accounts() {
  Statement& st = db_.cached(std::string("SELECT ") + kAccountColumns + " FROM console_accounts ORDER BY person");
  std::vector<ConsoleAccount> out;
  while (st.step()) out.push_back(readAccount(st));
  return out;
}

void SqlConsole::replaceZones(const std::vector<Zone>& zones) {
  db_.cached("DELETE FROM zones").run();
  Statement& st = db_.cached("INSERT INTO zones (name, geometry, uploaded_by, uploaded_at) VALUES (?1, ?2, ?3, ?4)");
  for (const Zone& z : zones) {
    st.bind(1, z.name).bind(2, z.geometry).bind(3, z.uploadedBy).bind(4, toMicros(z.uploadedAt));
    st.run();
  }
}

std::vector<Zone> SqlConsole::zones() {
  Statement& st = db_.cached("SELECT name, geometry, uploaded_by, uploaded_at FROM zones ORDER BY name");
  std::vector<Zone> out;
  while (st.step()) out.push_back(Zone{st.getText(0), st.getText(1), st.getText(2), fromMicros(st.getInt(3))});
  return out;
}

void SqlConsole::saveTemplate(const AlertTemplate& t) {
  Statement& st =
      db_.cached("INSERT INTO alert_templates (name, body, created_by, created_at) VALUES (?1, ?2, ?3, ?4)" +
                 replaceOnConflict("name", "name, body, created_by, created_at"));
  st.bind(1, t.name).bind(2, t.body).bind(3, t.createdBy).bind(4, toMicros(t.createdAt));
  st.run();
}

bool SqlConsole::removeTemplate(const std::string& name) {
  Statement& st = db_.cached("DELETE FROM alert_templates WHERE name = ?1");
  st.bind(1, name);
  st.run();
  return db_.changes() > 0;
}

std::vector<AlertTemplate> SqlConsole::templates() {
  Statement& st = db_.cached("SELECT name, body, created_by, created_at FROM alert_templates ORDER BY name");
  std::vector<AlertTemplate> out;
  while (st.step()) out.push_back(AlertTemplate{st.getText(0), st.getText(1), st.getText(2), fromMicros(st.getInt(3))});
  return out;
}

}  // namespace tocsin::sql
