// Bulk import of contacts from CSV.
//
// The header names the columns: `phone` is required; `name`, `zone`, `language`,
// `time_zone`, `latitude` and `longitude` are used when present; other columns are allowed
// and ignored. A file is imported all or nothing: every bad row is reported with its line
// number and reason, and if there is any, nothing is written. Rows with the same number are
// merged (later non-empty fields win); existing contacts are updated the same way.
// Suppressed numbers are refused. One audit entry records the import, with counts only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/audit/audit_log.h"
#include "common/contacts/contacts.h"
#include "common/phone/phone.h"
#include "common/phone/phone_workers.h"

namespace tocsin {

struct ImportProblem {
  size_t line = 0;
  std::string reason;
};

struct ImportReport {
  size_t rows = 0;
  size_t created = 0;
  size_t updated = 0;
  size_t unchanged = 0;
  size_t duplicatesMerged = 0;
  std::vector<ImportProblem> problems;  // sorted by line
  bool committed = false;
};

struct ImportOptions {
  std::string label = "contacts.csv";         // how the audit entry names the file
  const PhoneWorkerPool* workers = nullptr;  // normalise numbers in worker processes (else in-process)
  std::string source = "import";              // the contacts' source when created
  bool updateExisting = true;                 // false: a known number is left as it is (a shop's list)
  // Called in the import's write for every imported contact (a shop's list adds it as a member).
  std::function<void(StoreTx&, ContactId)> each;
  // Written in the import's audit entry ("into list 12 of shop bakery").
  std::string into;
};

class ContactImporter {
 public:
  ContactImporter(const PhoneNormalizer& phones, const ContactBook& book) : phones_(phones), book_(book) {}

  // Returns the report; a non-OK Status only for failures of the store itself.
  Result<ImportReport> run(Store& store, AuditLog& audit, const std::string& actor, std::string_view csvText,
                           const ImportOptions& options) const;

 private:
  const PhoneNormalizer& phones_;
  const ContactBook& book_;
};

}  // namespace tocsin
