#include "common/crypto/passphrase_seal.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <array>
#include <memory>

#include "common/crypto/hash.h"

namespace tocsin {
namespace {

constexpr std::string_view kMagic = "TOCSIN-SEALED-1\n";
constexpr size_t kSaltBytes = 16, kNonceBytes = 12, kTagBytes = 16;
constexpr size_t kHeaderBytes = kMagic.size() + 3 + kSaltBytes + kNonceBytes;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const uint8_t* bytesOf(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

Result<std::array<uint8_t, 32>> deriveKey(std::string_view passphrase, const uint8_t* salt, const ScryptCost& cost) {
  std::array<uint8_t, 32> key{};
  const uint64_t n = uint64_t{1} << cost.logN;
  // scrypt needs 128 * r * N bytes (and a little more): allow that and no more.
  const uint64_t maxMemory = 128 * uint64_t{cost.r} * n * 2;
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt, kSaltBytes, n, cost.r, cost.p, maxMemory, key.data(),
                     key.size()) != 1)
    return Status::internal("deriving the key from the passphrase failed (scrypt)");
  return key;
}

}  // namespace

Result<std::string> sealWithPassphrase(std::string_view plaintext, std::string_view passphrase, ScryptCost cost) {
  if (passphrase.size() < kMinPassphraseLength)
    return Status::invalid("the passphrase must have at least " + std::to_string(kMinPassphraseLength) + " characters");
  if (cost.logN < 10 || cost.logN > kMaxLogN || cost.r == 0 || cost.p == 0)
    return Status::invalid("unsupported scrypt cost");
  TOCSIN_ASSIGN_OR_RETURN(Bytes salt, randomBytes(kSaltBytes));
  TOCSIN_ASSIGN_OR_RETURN(Bytes nonce, randomBytes(kNonceBytes));
  TOCSIN_ASSIGN_OR_RETURN(auto key, deriveKey(passphrase, salt.data(), cost));
  std::string out(kMagic);
  out.push_back(static_cast<char>(cost.logN));
  out.push_back(static_cast<char>(cost.r));
  out.push_back(static_cast<char>(cost.p));
  out.append(salt.begin(), salt.end());
  out.append(nonce.begin(), nonce.end());
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  std::string body(plaintext.size(), '\0');
  auto* bodyBytes = reinterpret_cast<uint8_t*>(body.data());
  std::array<uint8_t, kTagBytes> tag{};
  const bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytesOf(out), static_cast<int>(out.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), bodyBytes, &len, bytesOf(plaintext), static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), bodyBytes + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  if (!ok) return Status::internal("encrypting with AES-256-GCM failed");
  out += body;
  out.append(tag.begin(), tag.end());
  return out;
}

Result<std::string> openWithPassphrase(std::string_view sealed, std::string_view passphrase) {
  if (sealed.size() < kHeaderBytes + kTagBytes || sealed.substr(0, kMagic.size()) != kMagic)
    return Status::invalid("not a Tocsin sealed file (it must begin with \"TOCSIN-SEALED-1\")");
  ScryptCost cost;
  cost.logN = static_cast<uint8_t>(sealed[kMagic.size()]);
  cost.r = static_cast<uint8_t>(sealed[kMagic.size() + 1]);
  cost.p = static_cast<uint8_t>(sealed[kMagic.size() + 2]);
  if (cost.logN < 10 || cost.logN > kMaxLogN || cost.r == 0 || cost.r > 32 || cost.p == 0 || cost.p > 4)
    return Status::invalid("the sealed file asks for an unsupported scrypt cost: refused");
  const uint8_t* salt = bytesOf(sealed) + kMagic.size() + 3;
  const uint8_t* nonce = salt + kSaltBytes;
  const std::string_view header = sealed.substr(0, kHeaderBytes);
  const std::string_view body = sealed.substr(kHeaderBytes, sealed.size() - kHeaderBytes - kTagBytes);
  std::array<uint8_t, kTagBytes> tag{};
  std::copy(sealed.end() - kTagBytes, sealed.end(), tag.begin());
  TOCSIN_ASSIGN_OR_RETURN(auto key, deriveKey(passphrase, salt, cost));
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string plain(body.size(), '\0');
  auto* plainBytes = reinterpret_cast<uint8_t*>(plain.data());
  int len = 0;
  const bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytesOf(header), static_cast<int>(header.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), plainBytes, &len, bytesOf(body), static_cast<int>(body.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), plainBytes + len, &len) == 1;
  OPENSSL_cleanse(key.data(), key.size());
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return Status::permissionDenied("the passphrase does not open this sealed file, or the file was altered");
  }
  return plain;
}

}  // namespace tocsin
