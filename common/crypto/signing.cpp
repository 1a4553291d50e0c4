#include "common/crypto/signing.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <utility>

namespace tocsin {
namespace {

EVP_PKEY* asKey(void* p) { return static_cast<EVP_PKEY*>(p); }

Bytes rawPublicKey(EVP_PKEY* key) {
  Bytes out(32);
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &len) != 1 || len != 32) return {};
  return out;
}

}  // namespace

Ed25519KeyPair::Ed25519KeyPair(void* pkey) : pkey_(pkey), publicKey_(rawPublicKey(asKey(pkey))) {}

Ed25519KeyPair::Ed25519KeyPair(Ed25519KeyPair&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)), publicKey_(std::move(other.publicKey_)) {}

Ed25519KeyPair& Ed25519KeyPair::operator=(Ed25519KeyPair&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(asKey(pkey_));
    pkey_ = std::exchange(other.pkey_, nullptr);
    publicKey_ = std::move(other.publicKey_);
  }
  return *this;
}

Ed25519KeyPair::~Ed25519KeyPair() { EVP_PKEY_free(asKey(pkey_)); }

Result<Ed25519KeyPair> Ed25519KeyPair::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!key) return Status::internal("OpenSSL could not generate an Ed25519 key");
  return Ed25519KeyPair(key);
}

Result<Ed25519KeyPair> Ed25519KeyPair::fromPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!key) return Status::dataLoss("the signing key file is not a PEM private key");
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return Status::dataLoss("the signing key file does not hold an Ed25519 key");
  }
  return Ed25519KeyPair(key);
}

std::string Ed25519KeyPair::privatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio && PEM_write_bio_PrivateKey(bio, asKey(pkey_), nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<size_t>(len));
  }
  BIO_free(bio);
  return out;
}

Result<Bytes> Ed25519KeyPair::sign(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Bytes sig(64);
  size_t len = sig.size();
  const bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, asKey(pkey_)) == 1 &&
                  EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                                 message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::internal("Ed25519 signing failed");
  sig.resize(len);
  return sig;
}

Status verifyEd25519(const Bytes& publicKey, std::string_view message, const Bytes& signature) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, publicKey.data(), publicKey.size());
  if (!key) return Status::invalid("the public key is not a 32-byte Ed25519 key");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const int rc = ctx ? EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) : 0;
  const int verdict = rc == 1 ? EVP_DigestVerify(ctx, signature.data(), signature.size(),
                                                 reinterpret_cast<const unsigned char*>(message.data()),
                                                 message.size())
                              : -1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (verdict == 1) return Status::okStatus();
  return Status::dataLoss("the signature does not match the data: the file was changed or signed by another key");
}

std::string keyFingerprint(const Bytes& publicKey) {
  const Digest d = sha256(std::string_view(reinterpret_cast<const char*>(publicKey.data()), publicKey.size()));
  return toHex(d.data(), 8);
}

}  // namespace tocsin
