#include "server/assets.h"

#include <algorithm>

namespace propscan::server {

const Asset* find_asset(std::string_view name) {
  auto assets = web_assets();
  auto it = std::find_if(assets.begin(), assets.end(), [name](const Asset& a) { return a.name == name; });
  return it == assets.end() ? nullptr : &*it;
}

}  // namespace propscan::server
