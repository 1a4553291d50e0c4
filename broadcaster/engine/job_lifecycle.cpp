#include "broadcaster/engine/job_lifecycle.h"

#include <algorithm>

namespace tocsin::engine {

const Job* JobContents::get(StoreTx& tx, JobId id) {
  if (auto it = kept_.find(id); it != kept_.end()) return it->second.get();
  if (auto it = pending_.find(id); it != pending_.end()) return it->second.get();
  auto job = tx.jobs().find(id);
  if (!job) return nullptr;
  return pending_.emplace(id, std::make_shared<const Job>(std::move(*job))).first->second.get();
}

void JobContents::commit() {
  // Bounded: a busy kiosk makes a transactional job per sign-up code.
  if (kept_.size() + pending_.size() > kMaxKept) kept_.clear();
  for (auto& [id, job] : pending_) kept_.emplace(id, std::move(job));
  pending_.clear();
}

void JobContents::rollback() { pending_.clear(); }

Result<LifecycleStep> JobLifecycle::advance(StoreTx& tx, AuditRecorder& audit, JobContents& contents, Timestamp now) const {
  LifecycleStep step;
  auto jobs = tx.jobs().statusesIn({JobState::kApproved, JobState::kExpanding, JobState::kSending});
  // Alerts first: the most urgent job is the one expanded.
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const JobStatus& a, const JobStatus& b) { return rank(a.messageClass) > rank(b.messageClass); });
  bool expanded = false;
  for (JobStatus& j : jobs) {
    if (j.state == JobState::kApproved) {
      if (j.notBefore && *j.notBefore > now) {
        if (!step.nextStart || *j.notBefore < *step.nextStart) step.nextStart = j.notBefore;
        continue;
      }
      const Job* content = contents.get(tx, j.id);
      if (!content) return Status::dataLoss("job " + std::to_string(j.id) + " vanished during the pass");
      TOCSIN_RETURN_IF_ERROR(start(tx, audit, j, *content, now, step));
      if (j.state != JobState::kExpanding) continue;
    }
    if (j.state == JobState::kExpanding) {
      step.sending.push_back(j);
      if (expanded) continue;  // one fan-out step per pass keeps every pass short
      expanded = true;
      const Job* content = contents.get(tx, j.id);
      if (!content) return Status::dataLoss("job " + std::to_string(j.id) + " vanished during the pass");
      TOCSIN_RETURN_IF_ERROR(expand(tx, audit, j, *content, now, step));
      continue;
    }
    finishIfSent(tx, audit, j, now, step);
  }
  return step;
}

Status JobLifecycle::start(StoreTx& tx, AuditRecorder& audit, JobStatus& j, const Job& content, Timestamp now,
                           LifecycleStep& step) const {
  const std::string object = "job:" + std::to_string(j.id);
  const std::string kind = jobKindName(j.kind);
  step.busy = true;
  if (j.expiresAt && *j.expiresAt <= now) {
    tx.jobs().setState(j.id, JobState::kDone, now);
    j.state = JobState::kDone;
    audit.record(kind + ".expire", object, "its validity ended before it started");
    step.notes.push_back({kind + ".expire", object});
    step.ended.push_back(j.id);
    return Status::okStatus();
  }
  tx.jobs().setState(j.id, JobState::kExpanding, now);
  j.state = JobState::kExpanding;
  audit.record(kind + ".start", object, "finding recipients");
  step.notes.push_back({kind + ".start", object + " " + className(j.messageClass) + " \"" + content.title + "\""});
  return Status::okStatus();
}

Status JobLifecycle::expand(StoreTx& tx, AuditRecorder& audit, JobStatus& j, const Job& content, Timestamp now,
                            LifecycleStep& step) const {
  const int64_t batch = j.kind == JobKind::kCampaign ? options_.campaignBatch : options_.alertBatch;
  TOCSIN_ASSIGN_OR_RETURN(const ExpansionStep s, expander_.step(tx, content, j.expandCursor, batch, now));
  step.expanded += static_cast<uint64_t>(s.queued);
  step.busy = true;
  if (!s.finished) return Status::okStatus();
  tx.jobs().setState(j.id, JobState::kSending, now);
  j.state = JobState::kSending;
  const std::string object = "job:" + std::to_string(j.id);
  const std::string kind = jobKindName(j.kind);
  const std::string what = std::to_string(j.recipients + s.queued + s.refused) + " recipients (" +
                           std::to_string(s.refused) + " refused in this last step)";
  audit.record(kind + ".expanded", object, what);
  step.notes.push_back({kind + ".expanded", object + " " + what});
  return Status::okStatus();
}

void JobLifecycle::finishIfSent(StoreTx& tx, AuditRecorder& audit, JobStatus& j, Timestamp now, LifecycleStep& step) const {
  const JobProgress p = tx.jobs().progress(j.id);
  if (p.count(MessageState::kQueued) + p.count(MessageState::kWaiting) + p.count(MessageState::kSubmitted) > 0) {
    step.sending.push_back(j);
    return;
  }
  tx.jobs().setState(j.id, JobState::kDone, now);
  j.state = JobState::kDone;
  const std::string object = "job:" + std::to_string(j.id);
  const std::string kind = jobKindName(j.kind);
  const std::string what = std::to_string(p.count(MessageState::kSent) + p.count(MessageState::kDelivered)) + " sent (" +
                           std::to_string(p.count(MessageState::kDelivered)) + " delivered), " +
                           std::to_string(p.count(MessageState::kFailed)) + " failed, " +
                           std::to_string(p.count(MessageState::kExpired)) + " expired, " +
                           std::to_string(p.count(MessageState::kRefused)) + " refused, " +
                           std::to_string(p.count(MessageState::kCancelled)) + " cancelled";
  audit.record(kind + ".done", object, what);
  step.notes.push_back({kind + ".done", object + " " + what});
  step.ended.push_back(j.id);
  step.busy = true;
}

}  // namespace tocsin::engine
