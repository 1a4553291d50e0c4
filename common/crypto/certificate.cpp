#include "common/crypto/certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/crypto/hash.h"
#include "common/crypto/key_files.h"

namespace tocsin {
namespace {

std::string pemOf(int (*write)(BIO*, void*), void* object) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio && write(bio, object) == 1) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<size_t>(len));
  }
  BIO_free(bio);
  return out;
}

}  // namespace

Status createSelfSignedCertificate(const CertificateRequest& req, const std::string& keyPath,
                                   const std::string& certificatePath) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  auto cleanup = [&] {
    X509_free(cert);
    EVP_PKEY_free(key);
  };
  if (!key || !cert) {
    cleanup();
    return Status::internal("OpenSSL could not create a key pair");
  }
  auto serialBytes = randomBytes(16);
  BIGNUM* serial = serialBytes.ok() ? BN_bin2bn(serialBytes->data(), 16, nullptr) : nullptr;
  if (serial) BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert));
  BN_free(serial);
  X509_set_version(cert, 2);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(req.days) * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(req.commonName.c_str()),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Tocsin appliance"), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  std::string san;
  for (const auto& d : req.dnsNames) san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& ip : req.ipAddresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, san}, std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
                                   std::pair{NID_key_usage, std::string("critical,digitalSignature,keyEncipherment")},
                                   std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
    if (value.empty()) continue;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext) {
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
  }
  if (X509_sign(cert, key, EVP_sha256()) == 0) {
    cleanup();
    return Status::internal("OpenSSL could not sign the certificate");
  }
  const std::string keyPem = pemOf(
      [](BIO* b, void* k) { return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr, nullptr); },
      key);
  const std::string certPem = pemOf([](BIO* b, void* c) { return PEM_write_bio_X509(b, static_cast<X509*>(c)); }, cert);
  cleanup();
  TOCSIN_RETURN_IF_ERROR(writeFileAtomically(keyPath, keyPem, 0600));
  return writeFileAtomically(certificatePath, certPem, 0644);
}

}  // namespace tocsin
