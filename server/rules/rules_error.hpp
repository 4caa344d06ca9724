#pragma once
// A rules file that cannot be used: names the file, the line (0 when unknown) and the problem.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace lee::rules {

class RulesError : public std::runtime_error {
public:
    RulesError(std::string file, std::size_t line, const std::string& problem)
        : std::runtime_error(describe(file, line, problem)), file_(std::move(file)), line_(line) {}
    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }

private:
    static std::string describe(const std::string& file, std::size_t line, const std::string& problem) {
        std::string text = file;
        if (line != 0) text.append(":").append(std::to_string(line));
        text.append(": ").append(problem);
        return text;
    }
    std::string file_;
    std::size_t line_;
};

}  // namespace lee::rules
