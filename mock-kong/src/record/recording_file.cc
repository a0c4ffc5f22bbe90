#include "record/recording_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "fixture/fixture_writer.h"
#include "fixture/read_file.h"

namespace kong::mock {
namespace {

using Json = nlohmann::ordered_json;

// Each case indented under "cases", as a person would write the file.
std::string under_cases(const Json& j) {
  const std::string text = j.dump(2, ' ', false, Json::error_handler_t::replace);
  std::string out = "    ";
  for (const char ch : text) {
    out.push_back(ch);
    if (ch == '\n')
      out += "    ";
  }
  return out;
}

constexpr std::string_view kTail = "\n  ]\n}\n";

}  // namespace

Result<std::unique_ptr<RecordingFile>> RecordingFile::open(const std::string& path,
                                                           RecordedCaseOptions options,
                                                           std::string description) {
  std::unique_ptr<RecordingFile> file(new RecordingFile());
  file->path_ = path;
  file->options_ = std::move(options);
  file->description_ = std::move(description);
  // A recording already there is continued, never lost.
  if (::access(path.c_str(), F_OK) == 0) {
    auto text = read_file(path);
    if (!text)
      return text.error();
    if (!text->empty()) {
      Json earlier = Json::parse(*text, nullptr, false);
      if (earlier.is_discarded() || !earlier.is_object() || !earlier.contains("cases") ||
          !earlier["cases"].is_array()) {
        return Error{fmt::format(
            "{}: not a recording to continue (not a fixture's JSON); give another file, or move "
            "this one away",
            path)};
      }
      file->description_ = earlier.value("description", file->description_);
      file->config_ = earlier.value("config", Json::object());
      for (auto& c : earlier["cases"])
        file->earlier_.push_back(std::move(c));
      file->cases_before_ = file->earlier_.size();
    }
  }
  file->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (file->fd_ < 0)
    return Error{fmt::format("{}: cannot write the recording: {}", path, std::strerror(errno))};
  if (!file->earlier_.empty())
    file->write_header(file->config_);
  return file;
}

RecordingFile::~RecordingFile() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::string RecordingFile::case_text(const RecordedLifecycle& l) const {
  Case c = recorded_case(l, options_);
  // An instance configured otherwise than the first: the case's own.
  if (nlohmann::json config = fixture_config(l.config); config != nlohmann::json(config_))
    c.config = std::move(config);
  return under_cases(case_to_json(c));
}

// Said once, when it first happens (a full disk says it at every write);
// the relay goes on, as Kong must not notice the recording.
void RecordingFile::fail(const char* why) {
  if (!error_.empty())
    return;
  error_ = fmt::format("{}: writing the recording: {}", path_, why);
  std::fprintf(stderr, "mock-kong: %s\n", error_.c_str());
}

void RecordingFile::write_at(std::size_t offset, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n =
        ::pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      fail(std::strerror(errno));
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

// Everything before the first case, and the cases of the file continued.
void RecordingFile::write_header(const nlohmann::json& config) {
  Json head = Json::object();
  head["description"] = description_;
  head["config"] = Json(config);
  std::string text = head.dump(2, ' ', false, Json::error_handler_t::replace);
  text.erase(text.rfind('}'));  // the object stays open for "cases"
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  text += ",\n  \"cases\": [\n";
  for (std::size_t i = 0; i < earlier_.size(); ++i)
    text += (i == 0 ? "" : ",\n") + under_cases(earlier_[i]);
  cases_ = earlier_.size();
  earlier_.clear();
  write_at(0, text);
  committed_ = text.size();
  header_written_ = true;
}

void RecordingFile::update(std::vector<RecordedLifecycle> finished,
                           const std::vector<const RecordedLifecycle*>& open) {
  if (!header_written_) {
    const RecordedLifecycle* first = !finished.empty() ? &finished.front()
                                     : !open.empty()   ? open.front()
                                                       : nullptr;
    if (first == nullptr)
      return;  // no case yet: a fixture needs one
    config_ = Json(fixture_config(first->config));
    write_header(nlohmann::json(config_));
  }
  // The finished cases, then the open ones and the end of the file, in one
  // write; the next update writes again from where the open ones start.
  std::string text;
  for (const auto& l : finished)
    text += (cases_++ == 0 ? "" : ",\n") + case_text(l);
  const std::size_t finished_end = committed_ + text.size();
  std::size_t count = cases_;
  for (const RecordedLifecycle* l : open)
    text += (count++ == 0 ? "" : ",\n") + case_text(*l);
  text += kTail;
  write_at(committed_, text);
  if (::ftruncate(fd_, static_cast<off_t>(committed_ + text.size())) != 0)
    fail(std::strerror(errno));
  committed_ = finished_end;
}

}  // namespace kong::mock
