#include "cli/help.hpp"

#include <algorithm>
#include <vector>

#include "cli/flags.hpp"

#ifndef ORUN_VERSION
#define ORUN_VERSION "0.0.0"
#endif

namespace orun::cli {

namespace {

// The long text after "{name} - " in the global help. Written for orun; the
// first line is runc's, which scripts (and runc's own tests) look for.
constexpr std::string_view kAppTitle = "Open Container Initiative runtime";

constexpr std::string_view kAboutOrun = R"({prog} starts and manages containers packaged as Open Container Initiative
(OCI) bundles and implements the OCI runtime specification. Its command line
is runc's, so it can take runc's place under containerd, Docker, Podman or a
plain process supervisor.)";

// Invoked as runc: say which runtime answers to that name.
constexpr std::string_view kAboutRunc = R"({prog} is orun here: a runtime that starts and manages containers packaged
as Open Container Initiative (OCI) bundles and implements the OCI runtime
specification with runc's command line, so it can take runc's place under
containerd, Docker, Podman or a plain process supervisor.)";

constexpr std::string_view kAppUsage = R"(

Each container's first process is a direct child of the process that ran
{prog}, so an existing supervisor can watch and reap it like any other child.

A bundle is a directory with a "config.json" specification file and a root
filesystem holding the container's files.

To start a new container:

    # {prog} run [ -b bundle ] <container-id>

"<container-id>" is the name you give this container instance; it must be
unique on the host. "-b" is optional: the bundle defaults to the current
directory.)";

std::string join_lines(const std::vector<std::string>& lines, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += sep;
    out += lines[i];
  }
  return out;
}

}  // namespace

std::string tabwrite(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(pos));
      break;
    }
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::string out;
  for (size_t i = 0; i < lines.size();) {
    if (lines[i].find('\t') == std::string_view::npos) {
      out += lines[i];
      if (i + 1 < lines.size()) out += '\n';
      ++i;
      continue;
    }
    size_t end = i, width = 0;
    while (end < lines.size() && lines[end].find('\t') != std::string_view::npos) {
      width = std::max(width, lines[end].find('\t'));
      ++end;
    }
    width += 2;  // padding
    for (; i < end; ++i) {
      size_t tab = lines[i].find('\t');
      std::string cell(lines[i].substr(0, tab));
      cell.resize(width, ' ');
      out += cell;
      out += lines[i].substr(tab + 1);
      if (i + 1 < lines.size()) out += '\n';
    }
  }
  return out;
}

std::string app_help(std::string_view prog, const CLI::App& global) {
  const bool as_runc = program_name(prog) == "runc";
  std::string s = "NAME:\n   {name} - " + std::string(kAppTitle) + "\n\n" +
                  std::string(as_runc ? kAboutRunc : kAboutOrun) + std::string(kAppUsage) + "\n\n";
  s += "USAGE:\n   " + std::string(prog) + " [global options] command [command options] [arguments...]\n\n";
  s += "VERSION:\n   " ORUN_VERSION "\n\n";
  s += "COMMANDS:";
  for (const auto& c : all_commands()) {
    if (c.hidden) continue;
    s += "\n   " + c.name + "\t" + c.usage;
  }
  s += "\n   help, h\tShows a list of commands or help for one command";
  s += "\n\nGLOBAL OPTIONS:\n   " + join_lines(flag_help_lines(global), "\n   ") + "\n";
  return tabwrite(expand_names(s, prog));
}

std::string command_help(std::string_view prog, const CommandSpec& cmd, const CLI::App& flags) {
  std::string help_name = std::string(prog) + " " + cmd.name;
  auto lines = flag_help_lines(flags);
  std::string s = "NAME:\n   " + help_name + " - " + cmd.usage + "\n\n";
  s += "USAGE:\n   " + help_name + (lines.empty() ? "" : " [command options]") + " " +
       (cmd.args_usage.empty() ? std::string("[arguments...]") : cmd.args_usage);
  if (!cmd.description.empty()) s += "\n\nDESCRIPTION:\n   " + cmd.description;
  if (!lines.empty()) {
    s += "\n\nOPTIONS:\n   ";
    for (const auto& l : lines) s += l + "\n   ";
  }
  s += "\n";
  return tabwrite(expand_names(s, prog));
}

}  // namespace orun::cli
