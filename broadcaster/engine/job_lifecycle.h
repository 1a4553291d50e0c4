// Job lifecycle, one step per dispatcher pass, inside its transaction: approved jobs whose time
// has come start (or expire), one batch of recipients is expanded (the most urgent job first, so
// an alert never waits behind a campaign's fan-out), and jobs with nothing left to send are
// done. Each change is audited; what the dispatcher needs afterwards is returned.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broadcaster/engine/expander.h"
#include "common/audit/audit_log.h"
#include "common/store/store.h"

namespace tocsin::engine {

// Jobs' contents (texts, target, class, bearers) decoded once and kept: only a draft's content
// changes, and drafts are never sent. What a pass reads is kept only once the pass commits, so a
// job inserted by a pass that rolled back is never remembered.
class JobContents {
 public:
  // The job, read from the store the first time; nullptr when there is no such job.
  const Job* get(StoreTx& tx, JobId id);
  void commit();
  void rollback();
  // A job that ended: its content is not needed again.
  void forget(JobId id) { kept_.erase(id); }
  size_t size() const { return kept_.size(); }

 private:
  static constexpr size_t kMaxKept = 4096;
  std::unordered_map<JobId, std::shared_ptr<const Job>> kept_, pending_;
};

struct Note {
  std::string event;   // "alert.start", "campaign.done", ...
  std::string detail;
};

struct LifecycleStep {
  bool busy = false;                   // something moved: another pass right away
  uint64_t expanded = 0;               // recipients added
  std::vector<Note> notes;
  std::vector<JobId> ended;            // done or expired in this step
  std::optional<Timestamp> nextStart;  // the earliest scheduled start still ahead
  std::vector<JobStatus> sending;      // jobs still sending or expanding after this step
};

struct LifecycleOptions {
  int64_t alertBatch = 50000;    // recipients per fan-out step of an alert
  int64_t campaignBatch = 1000;  // of a campaign: small, so an alert never waits long
};

class JobLifecycle {
 public:
  JobLifecycle(const Expander& expander, LifecycleOptions options) : expander_(expander), options_(options) {}

  Result<LifecycleStep> advance(StoreTx& tx, AuditRecorder& audit, JobContents& contents, Timestamp now) const;

 private:
  Status start(StoreTx& tx, AuditRecorder& audit, JobStatus& job, const Job& content, Timestamp now, LifecycleStep& step) const;
  Status expand(StoreTx& tx, AuditRecorder& audit, JobStatus& job, const Job& content, Timestamp now, LifecycleStep& step) const;
  void finishIfSent(StoreTx& tx, AuditRecorder& audit, JobStatus& job, Timestamp now, LifecycleStep& step) const;

  const Expander& expander_;
  LifecycleOptions options_;
};

}  // namespace tocsin::engine
