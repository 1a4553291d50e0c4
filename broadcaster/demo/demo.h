// The demo: Tocsin's main job on embedded defaults, narrated on the terminal.
//
// Each stage works on a fresh store under the demo directory, through the same library calls
// the daemon and tocsinctl use; nothing is faked but the people and, for the sign-up history,
// the calendar (a ManualClock walks through the past month).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "common/audit/audit_log.h"
#include "common/base/manual_clock.h"
#include "common/contacts/contacts.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "common/store/sqlite_store.h"

namespace tocsin::demo {

struct DemoStore {
  std::string dir;
  std::string dbPath;
  std::unique_ptr<ManualClock> clock;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<KeyDirectory> keys;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Suppressor> suppressor;
  std::unique_ptr<PhoneNormalizer> phones;
  std::unique_ptr<ContactBook> book;
};

// Removes any previous demo under `dir` and opens a new store there, its clock set 30 days back.
Result<DemoStore> openFreshStore(const std::string& dir, Timestamp now);

inline constexpr const char* kShop = "boulangerie-martin";
inline constexpr const char* kPromotions = "promotions:boulangerie-martin";

// Stage 1: the town's register, kiosk sign-ups with confirmations and opt-outs, erasures.
Status seedPopulation(DemoStore& d, std::ostream& out);
// Shows what the store now proves: consent states, one person's history, audit, signed export.
Status showConsentRecords(DemoStore& d, std::ostream& out);

// Stage 3: starts a simulated SMSC, two simulated modems and tocsin-broadcaster (from `binDir`)
// on the store in `dir`; a promotion runs, a CAP flood warning pre-empts it; live progress and
// a summary. Stops every process it started.
Status runBroadcast(const std::string& dir, const std::string& binDir, std::ostream& out);

// "+33 6 •• •• •5 78": enough to recognise one's own number, not to read someone else's.
std::string maskPhone(const std::string& e164);

}  // namespace tocsin::demo
