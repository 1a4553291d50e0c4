// AuditLog: appends tamper-evident entries and verifies the chain.
//
// Every state-changing action goes through AuditLog::write(), which runs the change and its
// audit entries in one store transaction and advances the anchor after the commit. Entries
// never hold phone numbers or names: objects are named by id ("contact:42").
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/audit/anchor.h"
#include "common/audit/proof.h"
#include "common/base/clock.h"
#include "common/store/store.h"

namespace tocsin {

class KeyDirectory;

// Handed to a write body; records entries in the body's transaction under one actor.
class AuditRecorder {
 public:
  // Records an entry, after binding or retiring the proven rows changed since the last one.
  void record(std::string action, std::string object, std::string reason);
  // Binds or retires the proven rows changed so far (record() and the end of a write do it).
  void flushProven();
  Timestamp now() const { return now_; }
  const std::string& actor() const { return actor_; }

 private:
  friend class AuditLog;
  AuditRecorder(const HmacKey& key, StoreTx& tx, std::string actor, Timestamp now)
      : key_(key), tx_(tx), actor_(std::move(actor)), now_(now) {}
  void append(std::string action, std::string object, std::string reason);
  const HmacKey& key_;
  StoreTx& tx_;
  std::string actor_;
  Timestamp now_;
  std::optional<AuditEntry> tail_;
};

enum class AuditProblem { kNone, kEdited, kDeleted, kInserted, kReordered, kTruncated, kAnchor, kCheckpoint };
const char* auditProblemName(AuditProblem p);

struct AuditVerification {
  AuditProblem problem = AuditProblem::kNone;
  int64_t entries = 0;       // entries checked
  int64_t firstBadSeq = 0;   // the first entry found wrong (0 when not about one entry)
  std::string explanation;   // human-readable, names the entry and why
  // Proven rows (consent history, consent texts, suppressions, consent standings) that do not
  // match the log, each named; checked when the chain itself is intact.
  std::vector<audit::RowProblem> rows;
  int64_t provenRows = 0;    // rows checked against the log
  bool intact() const { return problem == AuditProblem::kNone && rows.empty(); }
};

class AuditLog {
 public:
  using Body = std::function<Status(StoreTx&, AuditRecorder&)>;

  AuditLog(const Bytes& key, audit::AnchorFile anchor, const Clock& clock)
      : key_(key), anchor_(std::move(anchor)), clock_(clock) {}
  // The log of the store at `storePath`, with its key and anchor in `keys`.
  static Result<AuditLog> open(const KeyDirectory& keys, const std::string& storePath, const Clock& clock);

  // Runs `body` in one write transaction on `store`; entries it records are chained into the
  // log and the anchor is advanced once the transaction has committed. OK means committed, even
  // when the anchor could not be advanced (see onAnchorTrouble).
  Status write(Store& store, const std::string& actor, const Body& body);
  // Told when a committed change could not advance the anchor (for the daemon's log, tocsinctl's
  // stderr). REQUIRES: set before the log is shared between threads.
  void onAnchorTrouble(std::function<void(const std::string&)> listener) { anchorTrouble_ = std::move(listener); }

  // Removes entries recorded before `cutoff` and leaves a tagged checkpoint so the chain still
  // verifies; the bindings of proven rows still present are carried over as new entries. Call
  // inside a write body. Returns the number removed.
  int64_t trimBefore(StoreTx& tx, AuditRecorder& rec, Timestamp cutoff);

  // A store made before proven rows were bound has its rows bound once, on first open with its
  // keys (an entry says so). Does nothing for any other store.
  Status adoptProvenRows(Store& store);

  // Checks the whole chain, the checkpoint and the anchor.
  Result<AuditVerification> verify(Store& store) const;

  const Clock& clock() const { return clock_; }

 private:
  HmacKey key_;
  audit::AnchorFile anchor_;
  const Clock& clock_;
  std::function<void(const std::string&)> anchorTrouble_;
};

}  // namespace tocsin
