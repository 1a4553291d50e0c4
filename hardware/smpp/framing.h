// Cutting a TCP byte stream into SMPP PDUs.
//
// A PDU starts with its command_length. A length under 16 or over the maximum cannot be
// trusted to find the next PDU, so it is a fatal error and the connection must be closed.
// Anything else, even a PDU this codec cannot decode, is cut out whole and handed on, so the
// session can answer it (generic_nack) and carry on with the next one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "hardware/smpp/codec.h"

namespace tocsin::smpp {

class FrameReader {
 public:
  explicit FrameReader(size_t maxPduSize = kDefaultMaxPduSize) : max_(maxPduSize) {}

  void append(const char* data, size_t size) { buffer_.append(data, size); }
  void append(std::string_view data) { buffer_.append(data); }

  // The next complete PDU's bytes (valid until the next call), nullopt when more bytes are
  // needed, or an error when the stream cannot be framed any more.
  Result<std::optional<std::string_view>> next();
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  size_t start_ = 0;
  size_t max_;
  bool broken_ = false;
};

}  // namespace tocsin::smpp
