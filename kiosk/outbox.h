// Sign-ups taken while the appliance cannot be reached: nothing a person gave is lost.
//
// They wait in a small SQLite file on the tablet (mode 0600, secure_delete), at most 200 of them
// and none older than 24 hours (then the kiosk pauses sign-ups), and are sent in the order they
// were taken once the link returns. Each carries its own Idempotency-Key, so one sent twice (the
// answer lost on the way back) is stored once; each is deleted once the appliance answered.
// The person is told the code will come by SMS and can be answered by reply.
//
// Threading: an Outbox is one connection, for one thread; the UI adds, a sender thread delivers,
// each through its own Outbox on the same file.
#pragma once

#include <memory>
#include <string>

#include "common/base/clock.h"
#include "common/base/status.h"

struct sqlite3;

namespace tocsin::kiosk {

class KioskApi;

inline constexpr int64_t kOutboxCapacity = 200;
inline constexpr auto kOutboxMaxAge = std::chrono::hours(24);

class Outbox {
 public:
  static Result<std::unique_ptr<Outbox>> open(const std::string& path, const Clock& clock);
  ~Outbox();

  // kUnavailable when full (sign-ups pause until it empties).
  Status add(const std::string& signupBody);
  int64_t size();
  bool full();

  struct Delivery {
    int delivered = 0;  // acknowledged and deleted
    int refused = 0;    // the appliance refused them for good (deleted, counted)
    bool unreachable = false;
  };
  // Sends what waits, oldest first, until the appliance cannot be reached.
  Delivery deliver(KioskApi& api);

 private:
  Outbox(sqlite3* db, const Clock& clock) : db_(db), clock_(clock) {}
  sqlite3* db_;
  const Clock& clock_;
};

}  // namespace tocsin::kiosk
