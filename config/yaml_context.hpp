#pragma once
// Errors for YAML files that name the file, the line and the key, shared by every config reader.

#include <string>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"

namespace chanmirror::config {

struct YamlContext {
    std::string what;  // the file (or "inline")

    [[nodiscard]] core::Error error(const YAML::Node& node, const std::string& key,
                                    const std::string& message) const {
        return core::Error{
            core::ErrorKind::invalid_input,
            what + ":" + std::to_string(node.Mark().line + 1) + ": key '" + key + "': " + message};
    }
};

}  // namespace chanmirror::config
