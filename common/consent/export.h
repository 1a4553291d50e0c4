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
  int64_t texts = 0;  // in the appendix
  std::string sha256;
  std::string signaturePath;
  std::string keyFingerprint;
};

// Writes the export to `outPath` and its signature to `outPath + ".sig"`, both readable by
// their owner only; audited. CSV cells are neutralised against formula injection (see
// csvSafeCell), and each consent text the events cite follows them once, with its exact body,
// so the auditor reads what each person saw and can check its SHA-256. Refused (kDataLoss)
// when the audit log does not vouch for the consent history: a signature must not launder
// tampering.
Result<ExportSummary> exportConsent(Store& store, AuditLog& audit, const Ed25519KeyPair& key,
                                    const std::string& actor, ExportFormat format, const ConsentExportFilter& filter,
                                    const std::string& outPath);

// The detached signature of `content` (a statement of its SHA-256, size and time, signed).
Result<std::string> signatureFor(const Ed25519KeyPair& key, std::string_view content, Timestamp signedAt);

// Writes `content` to `path` created 0600 (replacing it atomically).
Status writePrivateFile(const std::string& path, const std::string& content);

struct ExportVerification {
  std::string sha256;
  std::string signedAt;
  std::string keyFingerprint;
};

// OK when `path` is exactly what was signed by `trustedPublicKey`; kDataLoss naming the
// problem otherwise (changed file, changed signature, other key).
Result<ExportVerification> verifyConsentExport(const std::string& path, const Bytes& trustedPublicKey);

// The same against any of several trusted keys (the current one and those rotated out), each
// trusted only for what it signed while it was current.
struct TrustedKey {
  Bytes publicKey;
  Timestamp from;
  std::optional<Timestamp> until;
};
Result<ExportVerification> verifyConsentExport(const std::string& path, const std::vector<TrustedKey>& trusted);

}  // namespace tocsin
