// A fresh store in a temporary directory with its keys, audit log and contact book, on a
// FakeClock: what most store-level tests start from.
#pragma once

#include <memory>

#include "common/audit/audit_log.h"
#include "common/contacts/contacts.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/sqlite_store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace tocsin::testing {

struct StoreFixture {
  StoreFixture();
  // Reopens the store file (as a new process would).
  std::unique_ptr<SqliteStore> reopen() const;

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
  KeyDirectory keys;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<AuditLog> audit;
  Suppressor suppressor;
  PhoneNormalizer phones{"FR"};
  ContactBook book{suppressor};
};

}  // namespace tocsin::testing
