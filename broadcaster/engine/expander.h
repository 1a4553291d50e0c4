// Fan-out: turning an approved alert or campaign into one message per recipient.
//
// It streams: each step reads a batch of contacts after the job's cursor, decides for each one
// (in the area? enrolled, consenting, suppressed?), writes the messages and moves the cursor,
// all in the caller's transaction. A crash between steps resumes at the cursor, so nobody is
// added twice and nobody is skipped; memory never holds more than one batch.
#pragma once

#include "common/jobs/job.h"
#include "common/privacy/suppression.h"
#include "common/store/store.h"
#include "policies/policy_config.h"
#include "policies/targeting.h"

namespace tocsin::engine {

struct BearerEntry;
struct ShopSettings;

struct ExpansionStep {
  int64_t scanned = 0;
  int64_t queued = 0;
  int64_t refused = 0;
  bool finished = false;
};

class Expander {
 public:
  Expander(const policy::PolicyConfig& policies, const Suppressor& suppressor)
      : policies_(policies), suppressor_(suppressor) {}

  // Where campaigns' short links point and which numbers take STOP replies. Without it, links
  // are sent as written and footers name no number. REQUIRES: before the first step.
  void useShops(const ShopSettings& settings, const std::vector<BearerEntry>& bearers) {
    shops_ = &settings;
    bearers_ = &bearers;
  }

  // The next `batch` contacts from `from` (the job's expansion cursor). `job` gives the content
  // (texts, target, class); its own cursor is not read.
  // REQUIRES: job is an alert or campaign being expanded.
  Result<ExpansionStep> step(StoreTx& tx, const Job& job, ScanCursor from, int64_t batch, Timestamp now) const;

 private:
  const policy::PolicyConfig& policies_;
  const Suppressor& suppressor_;
  const ShopSettings* shops_ = nullptr;
  const std::vector<BearerEntry>* bearers_ = nullptr;
};

}  // namespace tocsin::engine
