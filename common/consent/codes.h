// Confirmation codes sent by SMS to prove that a sign-up came from the phone's holder. Only a
// hash is stored; a code is short-lived and burnt after a few wrong tries.
#pragma once

#include <string>

#include "common/base/status.h"
#include "common/store/records.h"

namespace tocsin {

inline constexpr int kCodeDigits = 6;
inline constexpr int kCodeMaxAttempts = 5;

// Six random digits from the system's random source.
Result<std::string> newConfirmationCode();
// What the store keeps for `code`, keyed by the sign-up it belongs to (`key`: its id, or the
// contact of a code made before sign-ups waited for their code).
std::string confirmationCodeHash(int64_t key, const std::string& code);

}  // namespace tocsin
