#include "common/audit/audit_log.h"

#include <unordered_map>

#include "common/audit/audit_chain.h"
#include "common/crypto/key_files.h"

namespace tocsin {

using audit::entryMac;
using audit::kGenesisMac;

const char* auditProblemName(AuditProblem p) {
  switch (p) {
    case AuditProblem::kNone: return "intact";
    case AuditProblem::kEdited: return "edited";
    case AuditProblem::kDeleted: return "deleted";
    case AuditProblem::kInserted: return "inserted";
    case AuditProblem::kReordered: return "reordered";
    case AuditProblem::kTruncated: return "truncated";
    case AuditProblem::kAnchor: return "anchor";
    case AuditProblem::kCheckpoint: return "checkpoint";
  }
  return "unknown";
}

void AuditRecorder::record(std::string action, std::string object, std::string reason) {
  flushProven();
  append(std::move(action), std::move(object), std::move(reason));
}

void AuditRecorder::flushProven() {
  for (const ProvenChange& c : tx_.takeProvenChanges()) {
    const std::string object = audit::provenObject(c.row.table, c.row.key);
    if (c.removed)
      append(audit::kRetireAction, object, c.reason);
    else
      append(audit::kBindAction, object, audit::bindReason(c.row.digest));
  }
}

void AuditRecorder::append(std::string action, std::string object, std::string reason) {
  if (!tail_) {
    tail_ = tx_.audit().last();
    if (!tail_) {
      // Empty log: chain from the retention checkpoint, or from the genesis MAC.
      AuditEntry start;
      if (auto cp = tx_.audit().checkpoint()) {
        start.seq = cp->seq;
        start.mac = cp->mac;
      }
      tail_ = start;
    }
  }
  AuditEntry e;
  e.seq = tail_->seq + 1;
  e.recordedAt = now_;
  e.actor = actor_;
  e.action = std::move(action);
  e.object = std::move(object);
  e.reason = std::move(reason);
  e.prevMac = tail_->mac;
  e.mac = entryMac(key_, e.prevMac, e);
  tx_.audit().append(e);
  tail_ = std::move(e);
}

Result<AuditLog> AuditLog::open(const KeyDirectory& keys, const std::string& storePath, const Clock& clock) {
  TOCSIN_ASSIGN_OR_RETURN(Bytes key, keys.secret("audit"));
  const auto slash = storePath.rfind('/');
  const std::string storeName = slash == std::string::npos ? storePath : storePath.substr(slash + 1);
  return AuditLog(key, audit::AnchorFile(keys.file(storeName + ".audit-anchor"), key), clock);
}

Status AuditLog::write(Store& store, const std::string& actor, const Body& body) {
  std::optional<AuditEntry> tail;
  Status st = store.write([&](StoreTx& tx) {
    AuditRecorder recorder(key_, tx, actor, clock_.now());
    TOCSIN_RETURN_IF_ERROR(body(tx, recorder));
    // Every proven row the body inserted or removed is bound or retired in the same transaction.
    recorder.flushProven();
    tail = recorder.tail_;
    return Status::okStatus();
  });
  if (!st.ok() || !tail || tail->seq == 0) return st;
  // The change is committed whatever happens to the anchor: it is reported as such (a retry would
  // do it twice). An anchor that lags is allowed by verification and catches up with the next
  // audited write; the problem is told to whoever listens.
  if (Status anchored = anchor_.advance({tail->seq, tail->mac}); !anchored.ok() && anchorTrouble_)
    anchorTrouble_("the change was saved, but the audit anchor could not be advanced: " + anchored.message());
  return Status::okStatus();
}

int64_t AuditLog::trimBefore(StoreTx& tx, AuditRecorder& rec, Timestamp cutoff) {
  auto last = tx.audit().lastBefore(cutoff);
  if (!last) return 0;
  // Bindings about to go whose rows are still there are written again, with the digest the
  // old entry recorded (not the row's current one: an edited row stays caught).
  audit::ProofIndex index;
  tx.audit().forEach([&](const AuditEntry& e) { index.feed(e); });
  std::vector<std::pair<std::string, audit::ProofState>> carried;
  for (const auto& [object, state] : index.states())
    if (!state.retired && state.seq <= last->seq) carried.emplace_back(object, state);
  tx.audit().setCheckpoint({last->seq, last->mac, audit::checkpointTag(key_, last->seq, last->mac)});
  const int64_t removed = tx.audit().deleteThrough(last->seq);
  for (const auto& [object, state] : carried)
    rec.append(audit::kBindAction, object, audit::bindReason(state.digest, "carried from #" + std::to_string(state.seq)));
  return removed;
}

Status AuditLog::adoptProvenRows(Store& store) {
  bool pending = false;
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
    pending = tx.audit().adoptionPending();
    return Status::okStatus();
  }));
  if (!pending) return Status::okStatus();
  return write(store, "system:upgrade", [&](StoreTx& tx, AuditRecorder& rec) {
    if (!tx.audit().adoptionPending()) return Status::okStatus();
    // Once any row was bound, the store is past its upgrade: a pending flag then is forged.
    bool bound = false;
    tx.audit().forEach([&](const AuditEntry& e) { bound = bound || e.action == audit::kBindAction; });
    tx.audit().adoptionDone();
    if (bound) return Status::okStatus();
    int64_t n = 0;
    tx.audit().forEachProvenRow([&](const ProvenRow& row) {
      rec.append(audit::kBindAction, audit::provenObject(row.table, row.key),
                 audit::bindReason(row.digest, "adopted at upgrade"));
      ++n;
    });
    rec.record("proof.adopt", "store",
               std::to_string(n) + " rows recorded before this version were bound as they stood when upgraded");
    return Status::okStatus();
  });
}

namespace {

std::string entryName(int64_t seq) { return "#" + std::to_string(seq); }

std::string range(int64_t from, int64_t to) {
  return from == to ? "entry " + entryName(from) : "entries " + entryName(from) + ".." + entryName(to);
}

// Walks the chain in order with one entry of lookahead, and explains the first break.
class ChainWalker {
 public:
  ChainWalker(const HmacKey& key, AuditRepository& repo, std::optional<audit::AnchorState> anchor)
      : key_(key), repo_(repo), anchor_(anchor) {}

  void start(int64_t firstExpected, const Digest& prevMac) {
    expected_ = firstExpected;
    prevMac_ = prevMac;
    lastSeq_ = firstExpected - 1;
    noteMac(lastSeq_, prevMac);
  }

  // Feeds the next entry; returns false once a break was found.
  bool feed(const AuditEntry& next) {
    if (current_ && !check(*current_, &next)) return false;
    current_ = next;
    return true;
  }

  void finish() {
    if (current_ && !check(*current_, nullptr)) return;
    current_.reset();
    checkAnchor();
  }

  AuditVerification result;

 private:
  bool check(const AuditEntry& e, const AuditEntry* next) {
    const bool selfOk = constantTimeEqual(entryMac(key_, e.prevMac, e), e.mac);
    const bool linkOk = e.prevMac == prevMac_;
    const bool seqOk = e.seq == expected_;
    if (selfOk && linkOk && seqOk) {
      ++result.entries;
      prevMac_ = e.mac;
      expected_ = e.seq + 1;
      lastSeq_ = e.seq;
      noteMac(e.seq, e.mac);
      return true;
    }
    diagnose(e, next, selfOk, linkOk);
    return false;
  }

  void fail(AuditProblem p, int64_t seq, std::string why) {
    result.problem = p;
    result.firstBadSeq = seq;
    result.explanation = "audit chain broken at entry " + entryName(seq) + " (" + auditProblemName(p) + "): " + why;
  }

  void diagnose(const AuditEntry& e, const AuditEntry* next, bool selfOk, bool linkOk) {
    if (selfOk && e.seq > expected_)
      return fail(AuditProblem::kDeleted, expected_, range(expected_, e.seq - 1) + " missing; the log jumps from " +
                                                         entryName(expected_ - 1) + " to " + entryName(e.seq));
    if (selfOk && e.seq < expected_)
      return fail(AuditProblem::kReordered, e.seq, "entry " + entryName(e.seq) + " appears again after " +
                                                       entryName(expected_ - 1));
    if (selfOk && !linkOk) {
      if (auto owner = ownerOf(e.prevMac))
        return fail(AuditProblem::kReordered, e.seq, "it was written after entry " + entryName(*owner) +
                                                         " but now follows " + entryName(expected_ - 1));
      return fail(AuditProblem::kDeleted, e.seq, "the entry it was chained from is missing");
    }
    // The entry's MAC does not cover its current content or position.
    if (auto writtenAs = seqThatVerifies(e); writtenAs && *writtenAs != e.seq) {
      const std::string moved = "it was written as " + entryName(*writtenAs) + " but is stored as " + entryName(e.seq);
      if (ownerOf(e.prevMac)) return fail(AuditProblem::kReordered, e.seq, moved);
      if (*writtenAs > e.seq)
        return fail(AuditProblem::kDeleted, e.seq, "an earlier entry was deleted and later ones renumbered; " + moved);
      return fail(AuditProblem::kInserted, e.seq, "an entry was inserted earlier and later ones renumbered; " + moved);
    }
    if (anchor_ && e.seq > anchor_->seq)
      return fail(AuditProblem::kInserted, e.seq, "it follows the last anchored entry " + entryName(anchor_->seq) +
                                                      " and has no valid MAC");
    if (next && next->prevMac == prevMac_)
      return fail(AuditProblem::kInserted, e.seq, "it has no valid MAC and the chain continues around it");
    if (linkOk || (next && next->prevMac == e.mac))
      return fail(AuditProblem::kEdited, e.seq, "its content no longer matches its MAC");
    return fail(AuditProblem::kEdited, e.seq, "it does not match its MAC (edited or forged)");
  }

  std::optional<int64_t> ownerOf(const Digest& mac) {
    if (!owners_) {
      owners_.emplace();
      repo_.forEach([&](const AuditEntry& x) { owners_->emplace(toHex(x.mac), x.seq); });
    }
    auto it = owners_->find(toHex(mac));
    if (it == owners_->end()) return std::nullopt;
    return it->second;
  }

  // The sequence number under which this entry's MAC was computed, if any nearby one fits.
  std::optional<int64_t> seqThatVerifies(const AuditEntry& e) {
    AuditEntry probe = e;
    const int64_t span = repo_.count() + 2;
    for (int64_t d = 1; d <= span; ++d) {
      for (int64_t candidate : {e.seq + d, e.seq - d}) {
        if (candidate <= 0) continue;
        probe.seq = candidate;
        if (constantTimeEqual(entryMac(key_, e.prevMac, probe), e.mac)) return candidate;
      }
    }
    return std::nullopt;
  }

  void noteMac(int64_t seq, const Digest& mac) {
    if (anchor_ && seq == anchor_->seq) macAtAnchor_ = mac;
  }

  void checkAnchor() {
    if (!anchor_) {
      if (result.entries > 0 || lastSeq_ > 0)
        fail(AuditProblem::kAnchor, lastSeq_,
             "the anchor file is missing, so removal of the newest entries could not be ruled out");
      return;
    }
    if (lastSeq_ < anchor_->seq)
      return fail(AuditProblem::kTruncated, lastSeq_ + 1,
                  "the log ends at " + entryName(lastSeq_) + " but the anchor records " + entryName(anchor_->seq) +
                      ": " + range(lastSeq_ + 1, anchor_->seq) + " were removed");
    if (!macAtAnchor_ || *macAtAnchor_ != anchor_->mac)
      return fail(AuditProblem::kTruncated, anchor_->seq,
                  "it differs from the anchored entry: the end of the log was replaced");
  }

  const HmacKey& key_;
  AuditRepository& repo_;
  std::optional<audit::AnchorState> anchor_;
  std::optional<AuditEntry> current_;
  std::optional<std::unordered_map<std::string, int64_t>> owners_;
  std::optional<Digest> macAtAnchor_;
  Digest prevMac_{};
  int64_t expected_ = 1;
  int64_t lastSeq_ = 0;
};

}  // namespace

Result<AuditVerification> AuditLog::verify(Store& store) const {
  // Read the anchor before the snapshot: the anchor only moves after a commit, so it can then
  // lag the snapshot but never run ahead of it.
  auto anchor = anchor_.read();
  if (!anchor.ok()) {
    if (anchor.status().code() != StatusCode::kDataLoss) return anchor.status();
    AuditVerification v;
    v.problem = AuditProblem::kAnchor;
    v.explanation = anchor.status().message();
    return v;
  }
  AuditVerification out;
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
    ChainWalker walker(key_, tx.audit(), *anchor);
    Digest startMac = kGenesisMac;
    int64_t firstExpected = 1;
    if (auto cp = tx.audit().checkpoint()) {
      if (!constantTimeEqual(audit::checkpointTag(key_, cp->seq, cp->mac), cp->tag)) {
        out.problem = AuditProblem::kCheckpoint;
        out.firstBadSeq = cp->seq + 1;
        out.explanation = "the retention checkpoint was altered: its tag does not match";
        return Status::okStatus();
      }
      startMac = cp->mac;
      firstExpected = cp->seq + 1;
    }
    walker.start(firstExpected, startMac);
    bool going = true;
    tx.audit().forEach([&](const AuditEntry& e) {
      if (going) going = walker.feed(e);
    });
    if (going) walker.finish();
    out = walker.result;
    // The rows the log vouches for, both ways.
    audit::ProofIndex index;
    tx.audit().forEach([&](const AuditEntry& e) { index.feed(e); });
    audit::ProofCheck check(index);
    tx.audit().forEachProvenRow([&](const ProvenRow& row) {
      ++out.provenRows;
      check.row(row);
    });
    out.rows = check.finish();
    for (const auto& m : tx.audit().standingMismatches()) {
      const std::string object = "consent_state/contact:" + std::to_string(m.contact) + "/" + m.purpose;
      std::string text = object + " says '" + (m.stored.empty() ? "nothing" : m.stored) + "' but the history says '" +
                         (m.derived.empty() ? "nothing" : m.derived) + "': it was edited";
      out.rows.push_back({audit::RowProblemKind::kEdited, object, 0, std::move(text)});
    }
    if (out.problem == AuditProblem::kNone && !out.rows.empty()) {
      const audit::RowProblem& first = out.rows.front();
      switch (first.kind) {
        case audit::RowProblemKind::kEdited: out.problem = AuditProblem::kEdited; break;
        case audit::RowProblemKind::kDeleted: out.problem = AuditProblem::kDeleted; break;
        case audit::RowProblemKind::kInserted: out.problem = AuditProblem::kInserted; break;
        case audit::RowProblemKind::kReordered: out.problem = AuditProblem::kReordered; break;
      }
      out.firstBadSeq = first.seq;
      out.explanation = std::to_string(out.rows.size()) + (out.rows.size() == 1 ? " proven row does" : " proven rows do") +
                        " not match the audit log:";
      for (const auto& r : out.rows) out.explanation += "\n  " + std::string(rowProblemName(r.kind)) + ": " + r.text;
    }
    return Status::okStatus();
  }));
  return out;
}

}  // namespace tocsin
