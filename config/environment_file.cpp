#include "config/environment_file.hpp"

#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/yaml_context.hpp"
#include "core/match_spec.hpp"

namespace chanmirror::config {
namespace {

using core::ErrorKind;

using Context = YamlContext;

core::Result<std::vector<std::string>> strings(const Context& ctx, const YAML::Node& node,
                                               const std::string& key) {
    if (!node.IsSequence()) {
        return tl::unexpected(ctx.error(node, key, "expected a list"));
    }
    std::vector<std::string> out;
    for (const auto& item : node) {
        if (!item.IsScalar()) {
            return tl::unexpected(ctx.error(item, key, "expected a string"));
        }
        out.push_back(item.Scalar());
    }
    return out;
}

core::Result<void> read_channels(const Context& ctx, const YAML::Node& node, EnvironmentFile& out) {
    auto list = strings(ctx, node, "channels");
    if (!list) {
        return tl::unexpected(list.error());
    }
    for (std::string& channel : *list) {
        if (channel == "nodefaults") {
            out.nodefaults = true;
        } else {
            out.channels.push_back(std::move(channel));
        }
    }
    return {};
}

core::Result<void> read_dependency(const Context& ctx, const YAML::Node& item,
                                   EnvironmentFile& out) {
    if (item.IsMap()) {
        for (const auto& kv : item) {
            const std::string key = kv.first.Scalar();
            if (key != "pip") {
                return tl::unexpected(
                    ctx.error(kv.first, "dependencies", "unknown sub-list '" + key + "'"));
            }
            auto pip = strings(ctx, kv.second, "dependencies.pip");
            if (!pip) {
                return tl::unexpected(pip.error());
            }
            out.pip.insert(out.pip.end(), pip->begin(), pip->end());
        }
        return {};
    }
    if (!item.IsScalar()) {
        return tl::unexpected(ctx.error(item, "dependencies", "expected a string"));
    }
    const std::string& text = item.Scalar();
    if (auto spec = core::MatchSpec::parse(text); !spec) {
        return tl::unexpected(ctx.error(item, "dependencies", spec.error().message));
    }
    out.dependencies.push_back(text);
    return {};
}

core::Result<void> read_dependencies(const Context& ctx, const YAML::Node& node,
                                     EnvironmentFile& out) {
    if (!node.IsSequence()) {
        return tl::unexpected(ctx.error(node, "dependencies", "expected a list"));
    }
    for (const auto& item : node) {
        if (auto ok = read_dependency(ctx, item, out); !ok) {
            return ok;
        }
    }
    return {};
}

core::Result<void> read_key(const Context& ctx, const std::string& key, const YAML::Node& value,
                            EnvironmentFile& out) {
    if (key == "name") {
        if (!value.IsScalar()) {
            return tl::unexpected(ctx.error(value, key, "expected a string"));
        }
        out.name = value.Scalar();
        return {};
    }
    if (key == "channels") {
        return value.IsNull() ? core::Result<void>() : read_channels(ctx, value, out);
    }
    if (key == "dependencies") {
        return value.IsNull() ? core::Result<void>() : read_dependencies(ctx, value, out);
    }
    if (key == "prefix" || key == "variables" || key == "channel_priority") {
        return {};  // about the installed environment, not the packages
    }
    return tl::unexpected(ctx.error(value, key, "unknown key"));
}

}  // namespace

core::Result<EnvironmentFile> parse_environment_file(std::string_view text, std::string_view what) {
    const Context ctx{std::string(what)};
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return core::fail(
            ErrorKind::invalid_input,
            ctx.what + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
    }
    EnvironmentFile out;
    if (root.IsNull()) {
        return out;
    }
    if (!root.IsMap()) {
        return core::fail(ErrorKind::invalid_input, ctx.what + ": expected a map of keys");
    }
    for (const auto& kv : root) {
        if (auto ok = read_key(ctx, kv.first.Scalar(), kv.second, out); !ok) {
            return tl::unexpected(ok.error());
        }
    }
    return out;
}

core::Result<EnvironmentFile> load_environment_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::fail(ErrorKind::io, "cannot read " + path.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_environment_file(text.str(), path.string());
}

}  // namespace chanmirror::config
