// Retention periods turned into cutoffs: pure, so the rule is testable at any "now".
#pragma once

#include "common/base/time.h"
#include "common/config/config.h"
#include "common/privacy/retention.h"

namespace tocsin::policy {

// Everything of a kind recorded before `now - period` is past retention.
RetentionCutoffs retentionCutoffs(const RetentionConfig& periods, Timestamp now);

}  // namespace tocsin::policy
