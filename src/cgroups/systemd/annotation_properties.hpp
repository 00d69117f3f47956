// `org.systemd.property.NAME` annotations as extra unit properties, as runc
// 1.5.1's specconv initSystemdProps: NAME is at least 3 ASCII letters; the
// value is GVariant text as godbus's ParseVariant reads it (no signature
// given: untyped integers are int32, numbers with '.' or 'e' doubles,
// '...'/"..." strings, true/false, type annotations such as `uint64 5` or
// `@t 5`, arrays `[...]`, variants `<...>`); a NAME ending in a lowercase
// letter + "Sec" becomes NAME...USec with the number times 1000000. Errors
// are runc's: `annotation K name incorrect: too short`, `annotation K=V
// value parse error: ...` (with godbus's and strconv's texts). Dictionaries
// and byte strings (`{...}`, b'...') are not read: a parse error.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/systemd/dbus_value.hpp"
#include "orun/result.hpp"

namespace orun::cgroups::systemd {

// godbus's ParseVariant(text, Signature{}) for the forms above.
Result<Value> parse_gvariant(std::string_view text);

// The properties of every org.systemd.property.* annotation (in key order).
Result<std::vector<Property>> annotation_properties(const std::map<std::string, std::string>& annotations);

}  // namespace orun::cgroups::systemd
