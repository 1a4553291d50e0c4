// A fresh store in a temporary directory with its keys, audit log and contact book, on a
// FakeClock: what most store-level tests start from.
//
// When TOCSIN_TEST_POSTGRESQL names a file holding a connection string (the throwaway server
// ctest starts for the "on PostgreSQL" runs), the store is a new database on that server
// instead; `dbPath` then only names where the keys and the anchor live, and rawSql/rawQuery on
// it reach the database.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/audit/audit_log.h"
#include "common/contacts/contacts.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/postgres_store.h"
#include "common/store/sqlite_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace tocsin::testing {

// The test server's connection string when the tests run on PostgreSQL; nullopt on SQLite.
std::optional<std::string> testPostgresServer();
// A new, empty database on that server: its connection string.
std::string createTestDatabase();

struct StoreFixture {
  StoreFixture();
  // Reopens the store (as a new process would).
  std::unique_ptr<Store> reopen() const;
  bool onPostgres() const { return !postgresql.empty(); }

  // Adds a contact through the contact book; returns its id. Fails the test on error.
  ContactId addContact(const std::string& phone, ContactDetails details = {}, const std::string& source = "cli");
  // Registers a text, grants and (optionally) confirms `purpose` for `contact`.
  void giveConsent(ContactId contact, const std::string& purpose, bool confirm = true);
  // Lets `shop` send under `sender` (as an admin would); registers the shop first (active,
  // unmetered, in France) if it is not yet.
  void approveSender(const std::string& shop, const std::string& sender);
  // Runs a body in an audited write and fails the test if it fails.
  void write(const AuditLog::Body& body);

  TempDir dir;
  FakeClock clock;
  std::string dbPath;
  std::string postgresql;  // the database's connection string, on PostgreSQL
  KeyDirectory keys;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  Suppressor suppressor;
  PhoneNormalizer phones{"FR"};
  ContactBook book{suppressor};
};

}  // namespace tocsin::testing
