#pragma once
// The recipe facts channeldata.json reports (source_url, source_git_url), read from
// info/recipe/meta.yaml as conda-index does.

#include <string_view>

#include "core/json.hpp"

namespace chanmirror::indexer {

// {"source_url": ..., "source_git_url": ...} for whichever of the recipe's source keys exist;
// {} when the recipe does not parse or has no single source mapping.
core::Json recipe_source_fields(std::string_view meta_yaml);

}  // namespace chanmirror::indexer
