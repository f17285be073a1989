#include "indexer/recipe.hpp"

#include <yaml-cpp/yaml.h>

#include "core/utf8.hpp"

namespace chanmirror::indexer {
namespace {

core::Json to_json(const YAML::Node& node) {
    if (node.IsSequence()) {
        core::Json list = core::Json::array();
        for (const auto& item : node)
            list.push_back(to_json(item));
        return list;
    }
    if (node.IsScalar())
        return node.as<std::string>();
    return core::Json();
}

// conda-index loads recipes with a safe YAML loader: python-object tags (old conda-build
// dumped its Environment into requirements) make the whole recipe unreadable to it.
bool has_unsafe_tag(const YAML::Node& node) {
    if (node.Tag().find("python/") != std::string::npos)
        return true;
    if (node.IsMap()) {
        for (const auto& kv : node) {
            if (has_unsafe_tag(kv.first) || has_unsafe_tag(kv.second))
                return true;
        }
    } else if (node.IsSequence()) {
        for (const auto& item : node) {
            if (has_unsafe_tag(item))
                return true;
        }
    }
    return false;
}

// PyYAML's reader refuses text that is not UTF-8 (without a UTF-16 byte-order mark) or that
// holds a character outside its printable set; conda-index then takes nothing from the recipe.
bool pyyaml_can_read(std::string_view text) {
    if (text.starts_with("\xff\xfe") || text.starts_with("\xfe\xff"))
        return true;  // UTF-16, decoded by yaml-cpp as by PyYAML
    while (!text.empty()) {
        std::size_t length = core::utf8_sequence_length(text);
        if (length == 0)
            return false;
        char32_t c = core::utf8_code_point(text, length);
        bool printable = c == 0x09 || c == 0x0a || c == 0x0d || (c >= 0x20 && c <= 0x7e) ||
                         c == 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
                         c >= 0x10000;
        if (!printable)
            return false;
        text.remove_prefix(length);
    }
    return true;
}

}  // namespace

core::Json recipe_source_fields(std::string_view meta_yaml) {
    core::Json out = core::Json::object();
    if (!pyyaml_can_read(meta_yaml))
        return out;
    try {
        YAML::Node recipe = YAML::Load(std::string(meta_yaml));
        if (!recipe.IsMap() || has_unsafe_tag(recipe))
            return out;
        YAML::Node source = recipe["source"];
        if (!source || !source.IsMap())
            return out;  // a list of sources is not reported
        for (const char* key : {"url", "git_url"}) {
            YAML::Node value = source[key];
            if (value && !value.IsNull())
                out[std::string("source_") + key] = to_json(value);
        }
    } catch (const YAML::Exception&) {
        // Unrendered (Jinja) recipes are not YAML; they simply contribute nothing.
    }
    return out;
}

}  // namespace chanmirror::indexer
