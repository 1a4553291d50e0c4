// Kiosks on shops' stands: an admin enrols one for a shop and gets a one-time pairing code; the
// kiosk's staff screen sends it once and receives its own token (role kiosk, that shop), which
// the admin can revoke. Codes are kept as their SHA-256, last a day, and five wrong tries void
// them. Every step is audited; a pairing refused says nothing of why.
#pragma once

#include <string>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/store/store.h"

namespace tocsin::engine {

struct PairingCode {
  std::string code;  // "7F3KQ-9XMWT": shown once
  Timestamp expiresAt;
};

Status validateKioskId(const std::string& id);

// Enrols kiosk `id` for `shop` (or gives a new code to one not paired, or revoked).
Result<PairingCode> addKiosk(Store& store, AuditLog& audit, const std::string& actor, const std::string& shop,
                             const std::string& id);

struct PairedKiosk {
  std::string id, shop;
  std::string token;  // the secret, shown once
};
// kPermissionDenied, always with the same message, for an unknown kiosk or a wrong, used or
// expired code.
Result<PairedKiosk> pairKiosk(Store& store, AuditLog& audit, const std::string& id, const std::string& code);

// Revokes the kiosk's token; it must be paired again to act.
Status revokeKiosk(Store& store, AuditLog& audit, const std::string& actor, const std::string& id);

Result<std::vector<KioskRecord>> listKiosks(Store& store);

}  // namespace tocsin::engine
