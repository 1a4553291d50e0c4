#include "common/consent/codes.h"

#include "common/crypto/hash.h"

namespace tocsin {

Result<std::string> newConfirmationCode() {
  std::string code;
  while (code.size() < static_cast<size_t>(kCodeDigits)) {
    TOCSIN_ASSIGN_OR_RETURN(const Bytes bytes, randomBytes(16));
    for (uint8_t b : bytes)
      if (b < 250 && code.size() < static_cast<size_t>(kCodeDigits)) code += static_cast<char>('0' + b % 10);  // no modulo bias
  }
  return code;
}

std::string confirmationCodeHash(int64_t key, const std::string& code) {
  return toHex(sha256("tocsin-confirmation-code:" + std::to_string(key) + ":" + code));
}

}  // namespace tocsin
