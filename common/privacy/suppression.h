// Suppression fingerprints: what remains of an erased or opted-out number.
//
// HMAC-SHA256 with a secret key kept outside the database, not a plain hash: the space of
// phone numbers is small enough that an unkeyed hash could be reversed by trying them all.
#pragma once

#include <string_view>

#include "common/base/status.h"
#include "common/crypto/hash.h"

namespace tocsin {

class KeyDirectory;

class Suppressor {
 public:
  explicit Suppressor(const Bytes& key, int64_t keyVersion = 1) : key_(key), keyVersion_(keyVersion) {}
  static Result<Suppressor> open(const KeyDirectory& keys);

  // The fingerprint of an E.164 number.
  Digest fingerprint(std::string_view e164) const { return key_.mac(e164); }
  int64_t keyVersion() const { return keyVersion_; }

 private:
  HmacKey key_;
  int64_t keyVersion_;
};

}  // namespace tocsin
