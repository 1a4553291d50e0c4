#include "common/jobs/transactional.h"

namespace tocsin {

Result<JobId> queueTransactional(StoreTx& tx, AuditRecorder& audit, const TransactionalMessage& message) {
  Job j;
  j.kind = JobKind::kTransactional;
  j.messageClass = MessageClass::kTransactional;
  j.state = JobState::kSending;
  j.title = message.title;
  j.texts = {{message.language, message.text}};
  j.sender = message.sender;
  j.purpose = message.purpose;
  j.createdBy = audit.actor();
  j.expiresAt = audit.now() + std::chrono::hours(24);
  j.recipients = 1;
  j.createdAt = j.updatedAt = audit.now();
  const JobId id = tx.jobs().insert(j);
  NewMessage m;
  m.job = id;
  m.sequence = 1;
  m.contact = message.contact;
  m.destination = message.to;
  m.language = message.language;
  m.rank = rank(MessageClass::kTransactional);
  m.bearer = message.viaBearer;
  m.at = audit.now();
  tx.messages().insert(m);
  tx.messages().countInserted(id, MessageState::kQueued, 1);
  audit.record("transactional.queue", "job:" + std::to_string(id), message.title);
  return id;
}

}  // namespace tocsin
