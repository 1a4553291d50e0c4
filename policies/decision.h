// What a policy answers: send now, wait until a time (never dropped for being early), or
// refuse for good; always with a reason a person can read in the audit log and the API.
#pragma once

#include <optional>
#include <string>

#include "common/base/time.h"

namespace tocsin::policy {

struct Decision {
  enum class Verdict { kAllow, kWait, kRefuse };
  Verdict verdict = Verdict::kAllow;
  std::string reason;                 // empty when allowed
  std::optional<Timestamp> waitUntil; // for kWait

  static Decision allow() { return {}; }
  static Decision wait(Timestamp until, std::string why) { return {Verdict::kWait, std::move(why), until}; }
  static Decision refuse(std::string why) { return {Verdict::kRefuse, std::move(why), std::nullopt}; }
  bool allowed() const { return verdict == Verdict::kAllow; }
  bool waits() const { return verdict == Verdict::kWait; }
  bool refused() const { return verdict == Verdict::kRefuse; }
};

}  // namespace tocsin::policy
