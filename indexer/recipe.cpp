#include "indexer/recipe.hpp"

#include <yaml-cpp/yaml.h>

namespace chanmirror::indexer {
namespace {

core::Json to_json(const YAML::Node& node) {
    if (node.IsSequence()) {
        core::Json list = core::Json::array();
        for (const auto& item : node) list.push_back(to_json(item));
        return list;
    }
    if (node.IsScalar()) return node.as<std::string>();
    return core::Json();
}

}  // namespace

core::Json recipe_source_fields(std::string_view meta_yaml) {
    core::Json out = core::Json::object();
    try {
        YAML::Node recipe = YAML::Load(std::string(meta_yaml));
        if (!recipe.IsMap()) return out;
        YAML::Node source = recipe["source"];
        if (!source || !source.IsMap()) return out;  // a list of sources is not reported
        for (const char* key : {"url", "git_url"}) {
            YAML::Node value = source[key];
            if (value && !value.IsNull()) out[std::string("source_") + key] = to_json(value);
        }
    } catch (const YAML::Exception&) {
        // Unrendered (Jinja) recipes are not YAML; they simply contribute nothing.
    }
    return out;
}

}  // namespace chanmirror::indexer
