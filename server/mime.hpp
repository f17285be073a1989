#pragma once
// Content-Type by file name.

#include <string_view>

namespace chanmirror::server {

std::string_view mime_type(std::string_view file_name);

}  // namespace chanmirror::server
