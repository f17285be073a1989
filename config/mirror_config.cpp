#include "config/mirror_config.hpp"

#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/yaml_context.hpp"
namespace chanmirror::config {
namespace {

using core::ErrorKind;

using Ctx = YamlContext;

template <typename T>
core::Result<T> scalar(const Ctx& ctx, const YAML::Node& node, const std::string& key) {
    if (!node.IsScalar())
        return tl::unexpected(ctx.error(node, key, "expected a single value"));
    try {
        return node.as<T>();
    } catch (const YAML::Exception&) {
        return tl::unexpected(ctx.error(node, key, "invalid value '" + node.Scalar() + "'"));
    }
}

core::Result<std::vector<std::string>> string_list(const Ctx& ctx, const YAML::Node& node,
                                                   const std::string& key) {
    if (node.IsScalar())
        return std::vector<std::string>{node.Scalar()};
    if (!node.IsSequence())
        return tl::unexpected(ctx.error(node, key, "expected a list"));
    std::vector<std::string> out;
    for (const auto& item : node) {
        auto v = scalar<std::string>(ctx, item, key);
        if (!v)
            return tl::unexpected(v.error());
        out.push_back(*v);
    }
    return out;
}

core::Result<std::string> secret(const Ctx& ctx, const YAML::Node& node, const std::string& key) {
    auto v = scalar<std::string>(ctx, node, key);
    if (!v || !key.ends_with("_env"))
        return v;
    const char* env = std::getenv(v->c_str());
    if (env == nullptr)
        return tl::unexpected(ctx.error(node, key, "environment variable " + *v + " is not set"));
    return std::string(env);
}

core::Result<ChannelConfig> parse_channel(const Ctx& ctx, const YAML::Node& node) {
    ChannelConfig out;
    if (node.IsScalar()) {
        out.spec = node.Scalar();
        return out;
    }
    if (!node.IsMap())
        return tl::unexpected(ctx.error(node, "channels", "expected a name or a map"));
    for (const auto& kv : node) {
        auto key = kv.first.Scalar();
        const auto& v = kv.second;
        core::Result<void> ok;
        auto set = [&](std::string& field) {
            auto s = secret(ctx, v, key);
            if (!s)
                return core::Result<void>(tl::unexpected(s.error()));
            field = *s;
            return core::Result<void>();
        };
        if (key == "name" || key == "url") {
            ok = set(out.spec);
        } else if (key == "subdirs") {
            auto list = string_list(ctx, v, key);
            if (!list)
                return tl::unexpected(list.error());
            out.subdirs = *list;
        } else if (key == "username" || key == "username_env") {
            ok = set(out.username);
        } else if (key == "password" || key == "password_env") {
            ok = set(out.password);
        } else if (key == "token" || key == "token_env") {
            ok = set(out.token);
        } else {
            return tl::unexpected(ctx.error(kv.first, key, "unknown key in a channel entry"));
        }
        if (!ok)
            return tl::unexpected(ok.error());
    }
    if (out.spec.empty())
        return tl::unexpected(ctx.error(node, "channels", "entry needs 'name' or 'url'"));
    return out;
}

core::Result<void> parse_network_key(const Ctx& ctx, const std::string& key, const YAML::Node& v,
                                     NetworkConfig& net) {
    auto number = [&](auto& field, double min) -> core::Result<void> {
        using T = std::remove_reference_t<decltype(field)>;
        auto n = scalar<T>(ctx, v, key);
        if (!n)
            return tl::unexpected(n.error());
        if (static_cast<double>(*n) < min)
            return tl::unexpected(
                ctx.error(v, key, "must be at least " + std::to_string(static_cast<long>(min))));
        field = *n;
        return {};
    };
    if (key == "jobs")
        return number(net.jobs, 1);
    if (key == "retries")
        return number(net.retries, 0);
    if (key == "backoff_initial")
        return number(net.backoff_initial_s, 0);
    if (key == "backoff_max")
        return number(net.backoff_max_s, 0);
    if (key == "connect_timeout")
        return number(net.connect_timeout_s, 1);
    if (key == "low_speed_time")
        return number(net.low_speed_time_s, 1);
    auto s = scalar<std::string>(ctx, v, key);
    if (!s)
        return tl::unexpected(s.error());
    if (key == "proxy")
        net.proxy = *s;
    if (key == "ca_bundle")
        net.ca_bundle = *s;
    return {};
}

core::Result<void> parse_top_key(const Ctx& ctx, const std::string& key, const YAML::Node& v,
                                 MirrorConfig& cfg) {
    static const std::set<std::string> network_keys = {
        "jobs",           "retries", "backoff_initial", "backoff_max", "connect_timeout",
        "low_speed_time", "proxy",   "ca_bundle"};
    if (network_keys.contains(key))
        return parse_network_key(ctx, key, v, cfg.network);
    if (key == "dest" || key == "channel_alias") {
        auto s = scalar<std::string>(ctx, v, key);
        if (!s)
            return tl::unexpected(s.error());
        if (key == "dest") {
            cfg.dest = *s;
        } else {
            cfg.channel_alias = *s;
        }
        return {};
    }
    if (key == "default_channels" || key == "subdirs" || key == "specs" || key == "exclude") {
        auto list = string_list(ctx, v, key);
        if (!list)
            return tl::unexpected(list.error());
        auto& target = key == "subdirs"   ? cfg.subdirs
                       : key == "specs"   ? cfg.specs
                       : key == "exclude" ? cfg.exclude
                                          : cfg.default_channels;
        target = *list;
        return {};
    }
    if (key == "latest") {
        auto n = scalar<int>(ctx, v, key);
        if (!n)
            return tl::unexpected(n.error());
        if (*n < 1)
            return tl::unexpected(ctx.error(v, key, "must be a whole number >= 1"));
        cfg.latest = *n;
        return {};
    }
    if (key == "shards") {
        auto b = scalar<bool>(ctx, v, key);
        if (!b)
            return tl::unexpected(b.error());
        cfg.shards = *b;
        return {};
    }
    if (key == "max_delete") {
        auto s = scalar<std::string>(ctx, v, key);
        auto f = s ? parse_fraction(*s) : tl::unexpected(s.error());
        if (!f)
            return tl::unexpected(ctx.error(v, key, f.error().message));
        cfg.max_delete = *f;
        return {};
    }
    if (key == "channels") {
        if (!v.IsSequence())
            return tl::unexpected(ctx.error(v, key, "expected a list"));
        for (const auto& item : v) {
            auto ch = parse_channel(ctx, item);
            if (!ch)
                return tl::unexpected(ch.error());
            cfg.channels.push_back(std::move(*ch));
        }
        return {};
    }
    return tl::unexpected(ctx.error(v, key, "unknown key"));
}

// Inserts "user:pass@" after scheme:// and "/t/<token>" before the path.
std::string with_credentials(const std::string& url, const ChannelConfig& ch) {
    auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        return url;
    auto auth = scheme_end + 3;
    auto path = std::min(url.find('/', auth), url.size());
    std::string out = url;
    if (!ch.token.empty())
        out.insert(path, "/t/" + ch.token);
    if (!ch.username.empty())
        out.insert(auth, ch.username + (ch.password.empty() ? "" : ":" + ch.password) + "@");
    return out;
}

}  // namespace

core::Result<double> parse_fraction(std::string_view text) {
    std::string s(text);
    bool percent = !s.empty() && s.back() == '%';
    if (percent)
        s.pop_back();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || v < 0) {
        return core::fail(ErrorKind::invalid_input,
                          "'" + std::string(text) + "' is not a fraction like 10% or 0.1");
    }
    if (percent)
        v /= 100.0;
    if (v > 1.0)
        return core::fail(ErrorKind::invalid_input,
                          "'" + std::string(text) + "' is more than 100%");
    return v;
}

core::Result<MirrorConfig> parse_mirror_config(std::string_view text, std::string_view what) {
    Ctx ctx{std::string(what)};
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        return core::fail(ErrorKind::invalid_input,
                          ctx.what + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    MirrorConfig cfg;
    if (root.IsNull())
        return cfg;
    if (!root.IsMap())
        return tl::unexpected(ctx.error(root, "(top level)", "expected a map of settings"));
    for (const auto& kv : root) {
        if (auto r = parse_top_key(ctx, kv.first.Scalar(), kv.second, cfg); !r)
            return tl::unexpected(r.error());
    }
    return cfg;
}

core::Result<MirrorConfig> load_mirror_config(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return core::fail(ErrorKind::not_found, "cannot read config " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_mirror_config(ss.str(), path.string());
}

std::string native_subdir() {
    utsname u{};
    std::string machine = ::uname(&u) == 0 ? u.machine : "x86_64";
    std::string os = "linux";
#ifdef __APPLE__
    os = "osx";
#endif
    if (machine == "x86_64" || machine == "amd64")
        return os + "-64";
    if (machine == "aarch64" || machine == "arm64")
        return os == "osx" ? "osx-arm64" : "linux-aarch64";
    if (machine == "ppc64le")
        return os + "-ppc64le";
    if (machine == "s390x")
        return os + "-s390x";
    if (machine.starts_with("armv7"))
        return os + "-armv7l";
    if (machine == "i686" || machine == "i386")
        return os + "-32";
    return os + "-" + machine;
}

core::Result<ChannelResolution> resolve_configured(const ChannelConfig& channel,
                                                   const MirrorConfig& config) {
    auto r = resolve_channel(channel.spec, config.channel_alias, config.default_channels);
    if (!r)
        return r;
    for (auto& ch : r->channels)
        ch.url = with_credentials(ch.url, channel);
    return r;
}

}  // namespace chanmirror::config
