// The store and what every writer needs beside it, opened together from the configuration: the
// keys, the audit log, the suppression list's keyed fingerprints, the phone normaliser and the
// contact book. The engine's Environment (broadcaster/engine/environment.h) adds the policies
// and the bearers on top; the kiosk uses this alone.
//
// Threading: `store` is one connection, for the opening thread; a thread of its own gets its
// own with connect(). The rest is safe to share between threads.
#pragma once

#include <memory>
#include <string>

#include "common/audit/audit_log.h"
#include "common/base/clock.h"
#include "common/config/config.h"
#include "common/contacts/contacts.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/postgres_store.h"
#include "common/store/sqlite_store.h"

namespace tocsin {

struct StoreEnvironment {
  Config config;
  std::unique_ptr<Store> store;
  KeyDirectory keys{std::string()};
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Suppressor> suppressor;
  std::unique_ptr<PhoneNormalizer> phones;
  std::unique_ptr<ContactBook> book;

  // Opens the store named by `config` (creating it, and one missing directory level, unless
  // `options.create` is false) with the configured busy timeout, then its companions.
  Status open(const Config& config, Clock& clock, SqliteOptions options = {});
  // Another connection to the same store, with the configured busy timeout.
  Result<std::unique_ptr<Store>> connect(SqliteOptions options = {}) const;

  Clock* openedWith = nullptr;  // the clock given to open()
};

// The store `config` names: its SQLite file, or its PostgreSQL database (store.postgresql).
// On PostgreSQL, `options` other than the clock do not apply.
Result<std::unique_ptr<Store>> openStore(const Config& config, Clock& clock, SqliteOptions options = {});

}  // namespace tocsin
