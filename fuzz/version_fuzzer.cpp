// Version literals, their order, and version specs: parsing never fails unsafely, the order is
// a consistent weak order, and a spec's canonical text parses back to the same spec.
#include "core/version.hpp"
#include "core/version_spec.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"

using chanmirror::core::Version;
using chanmirror::core::VersionSpec;
using chanmirror::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto texts = chanmirror::fuzz::split_input(data, size, 4);
    std::vector<Version> versions;
    for (int i = 0; i < 3; ++i) {
        auto parsed = Version::parse(texts[i]);
        if (!parsed)
            continue;
        const Version& v = *parsed;
        check(v == v, "a version equals itself");
        auto again = Version::parse(v.normalized());
        check(again.has_value(), "a version's normalized text parses");
        check(again && *again == v, "a version's normalized text is the same version");
        check(v.starts_with(v), "a version starts with itself");
        if (auto prefix = v.compatible_prefix())
            check(v.starts_with(*prefix), "a version starts with its ~= prefix");
        versions.push_back(std::move(*parsed));
    }
    for (const auto& a : versions) {
        for (const auto& b : versions) {
            check((a <=> b) == 0 ? (b <=> a) == 0 : (a < b) == (b > a),
                  "compare(a, b) is the reverse of compare(b, a)");
            for (const auto& c : versions) {
                if (a <= b && b <= c)
                    check(a <= c, "the order is transitive");
            }
        }
    }
    auto spec = VersionSpec::parse(texts[3]);
    if (!spec || chanmirror::fuzz::has_inner_glob(spec->to_string()))
        return 0;
    auto reparsed = VersionSpec::parse(spec->to_string());
    check(reparsed.has_value(), "a version spec's canonical text parses");
    check(reparsed->to_string() == spec->to_string(), "the canonical text is a fixed point");
    for (const auto& v : versions)
        check(spec->matches(v) == reparsed->matches(v), "the canonical spec matches the same");
    return 0;
}
