#include "propscan/document.h"

#include "io/input.h"

namespace propscan {

Document Document::from_utf8(std::string id, std::string_view bytes) {
  return io::document_from_bytes(id, id, std::string(bytes), io::InputLimits{});
}

}  // namespace propscan
