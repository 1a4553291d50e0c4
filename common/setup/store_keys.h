// The keys a store is made with, and the only code that creates, rotates, backs up or restores
// them.
//
// A store's secrets (the audit chain's key, the suppression fingerprints' key) and its export
// signing key are created once, when the store itself is new, and their fingerprints are
// recorded in it. Opening a store whose key file is missing or is another key is refused with
// the file named: a new audit key would break the chain for good, a new suppression key would
// let an erased number in again. Backups and restores are audited; rotating the export signing
// key keeps the old public key trusted for the exports it signed before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/base/clock.h"
#include "common/crypto/key_files.h"
#include "common/store/store.h"

namespace tocsin {

inline constexpr const char* kAuditKeyName = "audit";
inline constexpr const char* kSuppressionKeyName = "suppression";
inline constexpr const char* kExportSigningKeyName = "export-signing";

// A secret's fingerprint: an HMAC of a fixed label, which tells keys apart and reveals nothing.
std::string secretFingerprint(const Bytes& key);

// Creates the keys of a blank store and records them; checks the keys of any other store. A
// store made before keys were recorded must have its secrets present; they are then recorded.
Status bindStoreKeys(Store& store, const KeyDirectory& keys, const Clock& clock);

// An export signing public key the store trusts, and from when to when it signed.
struct TrustedSigningKey {
  Bytes publicKey;
  std::string fingerprint;
  Timestamp from;
  std::optional<Timestamp> until;  // retired
};
Result<std::vector<TrustedSigningKey>> trustedSigningKeys(Store& store);

// Replaces the export signing key; returns the new key's fingerprint.
Result<std::string> rotateExportSigningKey(Store& store, AuditLog& audit, const KeyDirectory& keys,
                                           const std::string& actor);

// Copies the store's key files to `dir` (made 0700, files 0600; it must not exist or be
// empty) with a manifest of fingerprints. Returns the files copied.
Result<std::vector<std::string>> backupKeys(Store& store, AuditLog& audit, const KeyDirectory& keys,
                                            const std::string& actor, const std::string& dir);

// Puts back key files from a backup, each checked against the fingerprint the store recorded
// (another store's key is refused). A different file in the way is kept beside, renamed. Runs
// before the store's environment can open; record the restore with recordKeyRestore().
Result<std::vector<std::string>> restoreKeys(Store& store, const KeyDirectory& keys, const std::string& dir);
Status recordKeyRestore(Store& store, AuditLog& audit, const std::string& actor, const std::string& dir,
                        const std::vector<std::string>& restored);

}  // namespace tocsin
