#pragma once
// JSON values and the byte-exact serialisations the conda ecosystem expects.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace chanmirror::core {

// std::map-backed: object keys are always sorted by UTF-8 bytes, which is code point order,
// i.e. the order of Python's json.dumps(sort_keys=True).
using Json = nlohmann::json;

// Python json.dumps(v, sort_keys=True, separators=(",", ":")) with ensure_ascii:
// what conda-index writes for repodata.json and friends.
std::string dump_compact(const Json& value);

// Parses JSON text; errors name `what` (a file or URL).
Result<Json> parse_json(std::string_view text, std::string_view what);

}  // namespace chanmirror::core
