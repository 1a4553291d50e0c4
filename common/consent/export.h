// The auditor's consent export: the full consent history as CSV or JSON, plus a detached
// Ed25519 signature file (`<file>.sig`) that any changed byte invalidates.
//
// The signature covers a short statement naming the file's SHA-256 and size and when it was
// signed; verification recomputes the hash and checks the statement against a trusted public
// key (never the key written in the .sig file itself, which an attacker could replace).
#pragma once

#include <string>

#include "common/audit/audit_log.h"
#include "common/crypto/signing.h"
#include "common/store/store.h"

namespace tocsin {

enum class ExportFormat { kCsv, kJson };

struct ExportSummary {
  int64_t events = 0;
  std::string sha256;
  std::string signaturePath;
  std::string keyFingerprint;
};

// Writes the export to `outPath` and its signature to `outPath + ".sig"`; audited.
Result<ExportSummary> exportConsent(Store& store, AuditLog& audit, const Ed25519KeyPair& key,
                                    const std::string& actor, ExportFormat format, const ConsentExportFilter& filter,
                                    const std::string& outPath);

struct ExportVerification {
  std::string sha256;
  std::string signedAt;
  std::string keyFingerprint;
};

// OK when `path` is exactly what was signed by `trustedPublicKey`; kDataLoss naming the
// problem otherwise (changed file, changed signature, other key).
Result<ExportVerification> verifyConsentExport(const std::string& path, const Bytes& trustedPublicKey);

}  // namespace tocsin
