// What users write by hand: mirror config files, environment.yml, explicit lock files and
// channel names. Any text is read or refused with a message, never crashes or throws.
#include "config/channel.hpp"
#include "config/environment_file.hpp"
#include "config/explicit_file.hpp"
#include "config/mirror_config.hpp"
#include "fuzz/fuzz_check.hpp"

namespace config = chanmirror::config;
using chanmirror::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto parsed = config::parse_mirror_config(text, "fuzz/mirror.yaml");
            check(parsed || !parsed.error().message.empty(), "a refusal says why");
            break;
        }
        case 1: {
            auto parsed = config::parse_environment_file(text, "fuzz/environment.yml");
            check(parsed || !parsed.error().message.empty(), "a refusal says why");
            break;
        }
        case 2: {
            auto parsed = config::parse_explicit_file(text, "fuzz/explicit.txt");
            check(parsed || !parsed.error().message.empty(), "a refusal says why");
            break;
        }
        default: {
            auto resolved = config::resolve_channel(text, "https://conda.anaconda.org/", {});
            check(resolved || !resolved.error().message.empty(), "a refusal says why");
            break;
        }
    }
    return 0;
}
