// The content digests that bind proven rows (consent history, consent texts, suppressions) to
// the audit chain, as pure functions.
//
// A digest covers every column but the row's own id, in a length-prefixed canonical form, so
// that a row moved to another id (two rows swapped) is told apart from one edited in place.
#pragma once

#include <string>

#include "common/store/records.h"

namespace tocsin {

std::string rowDigest(const ConsentEvent& event);
std::string rowDigest(const ConsentText& text);
std::string rowDigest(const Suppression& suppression);

// The key a suppression is known by in the audit log: the SHA-256 of its fingerprint, so the
// log never holds the fingerprint itself.
std::string suppressionKey(const Digest& fingerprint);

ProvenRow provenRow(const ConsentEvent& event);
ProvenRow provenRow(const ConsentText& text);
ProvenRow provenRow(const Suppression& suppression);

}  // namespace tocsin
