// The web page's files (web/*), embedded into the binary at build time by
// cmake/embed_web.cmake, so that `propscan serve` needs nothing on disk.
#pragma once

#include <span>
#include <string_view>

namespace propscan::server {

struct Asset {
  std::string_view name;          // file name under web/, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view data;
};

// Every embedded file, in name order.
std::span<const Asset> web_assets();

// The asset called `name`, or nullptr.
const Asset* find_asset(std::string_view name);

}  // namespace propscan::server
