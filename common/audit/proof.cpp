#include "common/audit/proof.h"

#include <unordered_map>

namespace tocsin::audit {
namespace {

constexpr std::string_view kShaPrefix = "sha256=";

std::string entryName(int64_t seq) { return "#" + std::to_string(seq); }

std::string tableOf(const std::string& object) { return object.substr(0, object.find('/')); }

}  // namespace

std::string provenObject(const std::string& table, const std::string& key) { return table + "/" + key; }

std::string bindReason(const std::string& digest, const std::string& note) {
  return std::string(kShaPrefix) + digest + (note.empty() ? "" : " " + note);
}

void ProofIndex::feed(const AuditEntry& e) {
  if (e.action == kBindAction) {
    std::string digest;
    if (e.reason.compare(0, kShaPrefix.size(), kShaPrefix) == 0) {
      digest = e.reason.substr(kShaPrefix.size());
      digest = digest.substr(0, digest.find(' '));
    }
    states_[e.object] = {e.seq, false, digest, {}};
  } else if (e.action == kRetireAction) {
    states_[e.object] = {e.seq, true, {}, e.reason};
  }
}

const char* rowProblemName(RowProblemKind k) {
  switch (k) {
    case RowProblemKind::kEdited: return "edited";
    case RowProblemKind::kDeleted: return "deleted";
    case RowProblemKind::kInserted: return "inserted";
    case RowProblemKind::kReordered: return "reordered";
  }
  return "unknown";
}

void ProofCheck::row(const ProvenRow& r) {
  const std::string object = provenObject(r.table, r.key);
  const std::string name = object + (r.label.empty() ? "" : " (" + r.label + ")");
  seen_[object] = true;
  auto it = index_.states().find(object);
  if (it == index_.states().end()) {
    problems_.push_back({RowProblemKind::kInserted, object, 0, name + " is not in the audit log: it was inserted"});
    return;
  }
  const ProofState& s = it->second;
  if (s.retired) {
    problems_.push_back({RowProblemKind::kInserted, object, s.seq,
                         name + " was removed by entry " + entryName(s.seq) + " (" + s.reason +
                             ") but is present again: it was inserted"});
    return;
  }
  if (s.digest != r.digest) mismatched_.push_back(r);
}

std::vector<RowProblem> ProofCheck::finish() {
  // A row whose content is what the log recorded for another row of the table was moved there.
  std::unordered_map<std::string, std::string> boundBy;  // table + digest -> object
  for (const auto& [object, s] : index_.states())
    if (!s.retired) boundBy.emplace(tableOf(object) + "|" + s.digest, object);
  for (const ProvenRow& r : mismatched_) {
    const std::string object = provenObject(r.table, r.key);
    const std::string name = object + (r.label.empty() ? "" : " (" + r.label + ")");
    const int64_t seq = index_.states().at(object).seq;
    auto other = boundBy.find(r.table + "|" + r.digest);
    if (other != boundBy.end() && other->second != object) {
      problems_.push_back({RowProblemKind::kReordered, object, seq,
                           name + " holds what entry " + entryName(index_.states().at(other->second).seq) +
                               " recorded for " + other->second + ": the rows were reordered"});
    } else {
      problems_.push_back({RowProblemKind::kEdited, object, seq,
                           name + " differs from what entry " + entryName(seq) + " recorded: it was edited"});
    }
  }
  for (const auto& [object, s] : index_.states()) {
    if (s.retired || seen_.count(object)) continue;
    problems_.push_back({RowProblemKind::kDeleted, object, s.seq,
                         object + ", recorded by entry " + entryName(s.seq) +
                             ", is missing: it was deleted without erasure or retention"});
  }
  return std::move(problems_);
}

}  // namespace tocsin::audit
