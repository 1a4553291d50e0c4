// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps,
// 6 digits, the profile every authenticator app reads from an otpauth:// URI. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/crypto/hash.h"

namespace tocsin {

constexpr int64_t kTotpStepSeconds = 30;

std::string base32Encode(const Bytes& data);  // RFC 4648 alphabet, no padding
Result<Bytes> base32Decode(std::string_view text);  // case-insensitive, spaces and '=' ignored

// The HOTP value of `counter`, as `digits` decimal digits.
std::string hotp(const Bytes& secret, uint64_t counter, int digits = 6);
// The time step of a Unix time.
inline int64_t totpStep(int64_t unixSeconds) { return unixSeconds / kTotpStepSeconds; }

// The step `code` belongs to, if it matches the step of `unixSeconds` or the one before or after
// (clocks drift), and is later than `lastUsedStep` (a code is used once); nullopt otherwise.
std::optional<int64_t> verifyTotp(const Bytes& secret, std::string_view code, int64_t unixSeconds, int64_t lastUsedStep);

// "otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30".
std::string otpauthUri(std::string_view issuer, std::string_view account, const Bytes& secret);

}  // namespace tocsin
