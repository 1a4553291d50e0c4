// Proven rows in the audit chain: the consent history, the consent texts and the suppression
// list are vouched for by entries of the log itself.
//
// Each inserted row gets a `proof.bind` entry naming it ("consent_events/17") with the SHA-256
// of its content; each lawful removal gets a `proof.retire` entry with the reason. Both are
// written by AuditLog::write from what the store's repositories report, so no code path can
// add or remove a proven row without its entry. Verification compares the rows with the log
// both ways and names every row that was edited, inserted, deleted or moved.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/store/records.h"

namespace tocsin::audit {

inline constexpr const char* kBindAction = "proof.bind";
inline constexpr const char* kRetireAction = "proof.retire";

std::string provenObject(const std::string& table, const std::string& key);  // "consent_events/17"
std::string bindReason(const std::string& digest, const std::string& note = {});  // "sha256=<hex>[ note]"

// What the log says of one proven row: the last entry that bound or retired it.
struct ProofState {
  int64_t seq = 0;
  bool retired = false;
  std::string digest;  // when bound
  std::string reason;  // when retired
};

// Reads the log's bind and retire entries in order.
class ProofIndex {
 public:
  void feed(const AuditEntry& entry);
  // Keyed by provenObject().
  const std::map<std::string, ProofState>& states() const { return states_; }
  bool empty() const { return states_.empty(); }

 private:
  std::map<std::string, ProofState> states_;
};

enum class RowProblemKind { kEdited, kDeleted, kInserted, kReordered };
const char* rowProblemName(RowProblemKind k);

struct RowProblem {
  RowProblemKind kind = RowProblemKind::kEdited;
  std::string object;  // "consent_events/17", or "consent_state/contact:4/alerts"
  int64_t seq = 0;     // the entry that bound or retired it, 0 when none
  std::string text;    // names the row and what is wrong
};

// Compares the rows the store holds with what the log says of them.
class ProofCheck {
 public:
  explicit ProofCheck(const ProofIndex& index) : index_(index) {}
  void row(const ProvenRow& row);
  // After every row: bound rows never seen are deleted.
  std::vector<RowProblem> finish();

 private:
  const ProofIndex& index_;
  std::map<std::string, bool> seen_;
  std::vector<ProvenRow> mismatched_;
  std::vector<RowProblem> problems_;
};

}  // namespace tocsin::audit
