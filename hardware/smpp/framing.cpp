#include "hardware/smpp/framing.h"

namespace tocsin::smpp {

Result<std::optional<std::string_view>> FrameReader::next() {
  if (broken_) return Status::dataLoss("the SMPP stream was already broken");
  // Drop what earlier calls handed out once it is more than half the buffer.
  if (start_ > 0 && start_ * 2 >= buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  if (buffered() < 4) return std::optional<std::string_view>();
  const auto* p = reinterpret_cast<const uint8_t*>(buffer_.data() + start_);
  const uint32_t length =
      static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
  if (length < kHeaderSize || length > max_) {
    broken_ = true;
    return Status::dataLoss("command_length " + std::to_string(length) + " is outside 16.." + std::to_string(max_) +
                            ": the stream cannot be framed");
  }
  if (buffered() < length) return std::optional<std::string_view>();
  const std::string_view frame(buffer_.data() + start_, length);
  start_ += length;
  return std::optional<std::string_view>(frame);
}

}  // namespace tocsin::smpp
