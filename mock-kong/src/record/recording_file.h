#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kong/result.h"

#include "record/recorded_lifecycle.h"
#include "record/recording.h"

namespace kong::mock {

/// A recording's file: a fixture that grows as lifecycles pass. Every
/// update leaves it a whole fixture, the lifecycles under way included as
/// they stand, so that what was seen is there whenever Kong, the server or
/// mock-kong stops. Lifecycles that are over are written once and never
/// again; only the open ones after them are rewritten.
class RecordingFile final : public RecordingSink {
 public:
  /// Opens `path` to record into. A fixture already there (the recording
  /// of an earlier run, before Kong started this one again) is continued:
  /// its cases stay, and new ones follow. `description` goes at the top of
  /// a new file.
  static Result<std::unique_ptr<RecordingFile>> open(const std::string& path,
                                                     RecordedCaseOptions options,
                                                     std::string description);
  ~RecordingFile() override;
  RecordingFile(const RecordingFile&) = delete;
  RecordingFile& operator=(const RecordingFile&) = delete;

  void update(std::vector<RecordedLifecycle> finished,
              const std::vector<const RecordedLifecycle*>& open) override;

  /// Cases in the file when it was opened: the new ones are numbered after.
  std::size_t cases_before() const { return cases_before_; }
  /// Cases written for good, those before included.
  std::size_t cases_written() const { return cases_; }
  /// The first error writing the file, which update() also prints to
  /// stderr; empty while there was none.
  const std::string& error() const { return error_; }

 private:
  RecordingFile() = default;
  std::string case_text(const RecordedLifecycle& l) const;
  void write_at(std::size_t offset, const std::string& text);
  void write_header(const nlohmann::json& config);
  void fail(const char* why);

  std::string path_;
  int fd_ = -1;
  RecordedCaseOptions options_;
  std::string description_;
  /// The top-level configuration: the first instance's, or the file's.
  nlohmann::ordered_json config_;
  bool header_written_ = false;
  /// Where the text after the last finished case starts.
  std::size_t committed_ = 0;
  std::size_t cases_ = 0;
  std::size_t cases_before_ = 0;
  /// The cases of the file it continues, written with the header.
  std::vector<nlohmann::ordered_json> earlier_;
  std::string error_;
};

}  // namespace kong::mock
