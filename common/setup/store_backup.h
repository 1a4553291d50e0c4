// A whole store backed up and restored: the database, copied while the broadcaster runs, and
// its keys, sealed with a passphrase in a second file (common/crypto/passphrase_seal.h). The
// database alone is useless to whoever takes it without the keys file and the passphrase; the
// keys file alone holds no personal data.
//
// backupStore() records "store.backup" in the live store's audit log, then takes the copy (so
// the copy holds its own record), then seals the keys with an audit anchor for the copy's last
// entry: a restore can then tell a copy whose newest entries were cut off.
//
// restoreStore() opens the sealed keys, stages the copy and the keys beside their places,
// migrates the copy forward if it is older, verifies its audit chain (and the proven rows)
// against the keys and the anchor, records "store.restore" in it, then moves the current store
// and keys aside (renamed "….replaced-<time>", never deleted) and puts the restored ones in
// place. Anything wrong before that last step leaves the current store untouched. The
// broadcaster must be stopped: the caller checks.
#pragma once

#include <cstdint>
#include <string>

#include "common/base/clock.h"
#include "common/config/config.h"
#include "common/crypto/passphrase_seal.h"
#include "common/setup/store_environment.h"

namespace tocsin {
namespace sql {
class Database;
}

// What a store holds, as a backup and its restore both report it.
struct StoreCounts {
  int schemaVersion = 0;
  int64_t contacts = 0;
  int64_t consentEvents = 0;
  int64_t jobs = 0;
  int64_t messages = 0;
  int64_t auditEntries = 0;
  int64_t lastAuditSeq = 0;
  bool operator==(const StoreCounts&) const = default;
};
// Counted straight from a database file, as it is.
Result<StoreCounts> countStore(const std::string& databaseFile);
// Counted on an open connection (either engine), whose schema version the caller knows.
StoreCounts countDatabase(sql::Database& db, int schemaVersion);
std::string describeCounts(const StoreCounts& c);

struct BackupResult {
  std::string storeFile;
  std::string keysFile;
  StoreCounts counts;
  std::string sha256;  // of the database copy
};

// `out` and `keysOut` must not exist. The passphrase has at least kMinPassphraseLength characters.
Result<BackupResult> backupStore(StoreEnvironment& env, const std::string& actor, const std::string& out,
                                 const std::string& keysOut, const std::string& passphrase, ScryptCost cost = {});

struct RestoreResult {
  StoreCounts counts;          // the backup's, before it was migrated or the restore recorded
  int schemaVersion = 0;       // the restored store's, after migration
  int64_t verifiedEntries = 0; // audit entries verified
  int64_t provenRows = 0;      // consent rows verified against the chain
  std::string replacedStore;   // where the store that was in place went ("" when there was none)
  std::string replacedKeys;
};

Result<RestoreResult> restoreStore(const Config& config, Clock& clock, const std::string& backupFile,
                                   const std::string& keysFile, const std::string& passphrase, const std::string& actor);

}  // namespace tocsin
