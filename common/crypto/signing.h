// Ed25519 signatures (OpenSSL 3), used for the auditor's consent exports.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/crypto/hash.h"

namespace tocsin {

class Ed25519KeyPair {
 public:
  // Generates a fresh key pair.
  static Result<Ed25519KeyPair> generate();
  // Reads a PKCS#8 PEM private key.
  static Result<Ed25519KeyPair> fromPem(const std::string& pem);

  Ed25519KeyPair(Ed25519KeyPair&& other) noexcept;
  Ed25519KeyPair& operator=(Ed25519KeyPair&& other) noexcept;
  ~Ed25519KeyPair();

  std::string privatePem() const;
  // The raw 32-byte public key.
  const Bytes& publicKey() const { return publicKey_; }
  Result<Bytes> sign(std::string_view message) const;

 private:
  explicit Ed25519KeyPair(void* pkey);
  void* pkey_;  // EVP_PKEY*
  Bytes publicKey_;
};

// OK when `signature` is a valid Ed25519 signature of `message` by `publicKey` (32 raw bytes);
// kDataLoss when it does not verify.
Status verifyEd25519(const Bytes& publicKey, std::string_view message, const Bytes& signature);

// A short, stable name for a public key: the first 8 bytes of its SHA-256, in hex.
std::string keyFingerprint(const Bytes& publicKey);

}  // namespace tocsin
