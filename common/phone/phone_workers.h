// Bulk phone-number normalisation on several processes.
//
// libphonenumber serialises threads on a lock around its regular-expression cache, so two
// threads normalise no faster than one (measured: 1.7 s vs 1.8 s per 100,000 numbers), while
// two processes take half the time. Bulk imports therefore hand numbers to worker processes:
// each runs runPhoneWorker() (tocsinctl's hidden "internal phone-worker" command), reading
// one number per line on stdin and answering one line per number on stdout.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "common/phone/phone.h"

namespace tocsin {

class PhoneWorkerPool {
 public:
  // `command`: the worker's argv (program path first); `workers`: processes to run.
  PhoneWorkerPool(std::vector<std::string> command, unsigned workers)
      : command_(std::move(command)), workers_(workers == 0 ? 1 : workers) {}

  using Visit = std::function<void(size_t index, Result<PhoneNumber> result)>;
  // Calls `visit` once per input, on the calling thread, as answers arrive (not in input
  // order), so the caller can work on early answers while the workers go on. Fails only if
  // the workers cannot be run or stop early.
  Status normalizeEach(const std::vector<std::string>& inputs, const Visit& visit) const;

 private:
  std::vector<std::string> command_;
  unsigned workers_;
};

// The worker side: "+33612345678 mobile FR" per valid number, "!<reason>" per invalid one.
int runPhoneWorker(const PhoneNormalizer& phones, std::istream& in, std::ostream& out);

}  // namespace tocsin
