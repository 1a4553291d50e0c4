#include "common/privacy/suppression.h"

#include "common/crypto/key_files.h"

namespace tocsin {

Result<Suppressor> Suppressor::open(const KeyDirectory& keys) {
  TOCSIN_ASSIGN_OR_RETURN(Bytes key, keys.secret("suppression"));
  return Suppressor(key);
}

}  // namespace tocsin
