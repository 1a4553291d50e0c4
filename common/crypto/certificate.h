// Self-signed TLS certificates, for the operator API's first start and for tests.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"

namespace tocsin {

struct CertificateRequest {
  std::string commonName = "tocsin";
  std::vector<std::string> dnsNames = {"localhost"};
  std::vector<std::string> ipAddresses = {"127.0.0.1"};
  int days = 825;
};

// Writes a new P-256 private key (mode 0600) and a self-signed certificate (PEM) for it.
Status createSelfSignedCertificate(const CertificateRequest& request, const std::string& keyPath,
                                   const std::string& certificatePath);

}  // namespace tocsin
