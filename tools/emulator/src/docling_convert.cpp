// Toy document conversion for the simulated Docling nodes: every input becomes Markdown,
// and the other export formats are rendered from that Markdown's blocks.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

#include "docling.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

enum class Kind { markdown, html, text, other };

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string extension(const std::string& filename) {
  const auto slash = filename.find_last_of("/\\");
  const std::string base = slash == std::string::npos ? filename : filename.substr(slash + 1);
  const auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : to_lower(base.substr(dot + 1));
}

// "text/html; charset=utf-8" → "text/html".
std::string base_type(const std::string& content_type) {
  return to_lower(trim(content_type.substr(0, content_type.find(';'))));
}

Kind detect(const std::string& filename, const std::string& type) {
  const std::string ext = extension(filename);
  if (ext == "md" || ext == "markdown") return Kind::markdown;
  if (ext == "html" || ext == "htm" || ext == "xhtml") return Kind::html;
  if (ext == "txt" || ext == "text") return Kind::text;
  if (type == "text/markdown" || type == "text/x-markdown") return Kind::markdown;
  if (type == "text/html" || type == "application/xhtml+xml") return Kind::html;
  if (type == "text/plain") return Kind::text;
  return Kind::other;
}

std::string guess_type(const std::string& filename) {
  static const std::vector<std::pair<std::string, std::string>> kTypes = {
      {"pdf", "application/pdf"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"bmp", "image/bmp"},
      {"webp", "image/webp"},
      {"csv", "text/csv"},
      {"json", "application/json"},
      {"xml", "application/xml"},
      {"md", "text/markdown"},
      {"html", "text/html"},
      {"htm", "text/html"},
      {"txt", "text/plain"},
  };
  const std::string ext = extension(filename);
  for (const auto& [e, t] : kTypes) {
    if (e == ext) return t;
  }
  return "application/octet-stream";
}

// Drops an incomplete UTF-8 sequence at the end (the kept prefix of a longer file).
void trim_partial_utf8(std::string& s) {
  for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
    const std::size_t len = utf8_sequence_length(c);
    if (len > back) s.resize(s.size() - back);
    return;
  }
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity at html[i] ('&') into out; returns the index after it.
std::size_t decode_entity(std::string_view html, std::size_t i, std::string& out) {
  const auto semi = html.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) {
    out.push_back('&');
    return i + 1;
  }
  const std::string name(html.substr(i + 1, semi - i - 1));
  static const std::vector<std::pair<std::string, std::string>> kNamed = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  for (const auto& [n, text] : kNamed) {
    if (n == name) {
      out += text;
      return semi + 1;
    }
  }
  if (name.size() > 1 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string digits = name.substr(hex ? 2 : 1);
    char* end = nullptr;
    const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
    if (!digits.empty() && end && *end == '\0') {
      append_utf8(out, cp);
      return semi + 1;
    }
  }
  out.push_back('&');
  return i + 1;
}

bool is_block_tag(const std::string& t) {
  static const std::vector<std::string> kBlocks = {
      "p",     "div",        "br",      "hr",      "ul",      "ol",      "table",  "tr",
      "thead", "tbody",      "section", "article", "header",  "footer",  "nav",    "main",
      "aside", "blockquote", "pre",     "dl",      "dt",      "dd",      "figure", "figcaption",
      "body",  "html",       "form",    "address", "caption", "details", "summary"};
  return std::find(kBlocks.begin(), kBlocks.end(), t) != kBlocks.end();
}

class HtmlToMarkdown {
 public:
  std::string run(std::string_view html) {
    std::size_t i = 0;
    while (i < html.size()) {
      const char c = html[i];
      if (c == '<') {
        i = tag(html, i);
      } else if (c == '&') {
        std::string decoded;
        i = decode_entity(html, i, decoded);
        text(decoded);
      } else {
        text(std::string_view(&html[i], 1));
        ++i;
      }
    }
    flush();
    std::string md;
    for (std::size_t b = 0; b < blocks_.size(); ++b) {
      if (b > 0) md += (blocks_[b].second && blocks_[b - 1].second) ? "\n" : "\n\n";
      md += blocks_[b].first;
    }
    if (!md.empty()) md += "\n";
    return md;
  }

 private:
  // Handles the tag (or comment) at html[i]; returns the index after it.
  std::size_t tag(std::string_view html, std::size_t i) {
    if (html.compare(i, 4, "<!--") == 0) {
      const auto end = html.find("-->", i + 4);
      return end == std::string_view::npos ? html.size() : end + 3;
    }
    std::size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    std::string name;
    while (j < html.size() && std::isalnum(static_cast<unsigned char>(html[j]))) {
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(html[j]))));
      ++j;
    }
    const bool declaration = j < html.size() && (html[j] == '!' || html[j] == '?') && !closing;
    if (name.empty() && !declaration) {  // a lone '<' is text
      text("<");
      return i + 1;
    }
    // The end of the tag: the first '>' outside quotes.
    char quote = 0;
    for (; j < html.size(); ++j) {
      if (quote) {
        if (html[j] == quote) quote = 0;
      } else if (html[j] == '"' || html[j] == '\'') {
        quote = html[j];
      } else if (html[j] == '>') {
        break;
      }
    }
    const std::size_t after = j < html.size() ? j + 1 : html.size();
    if (declaration) return after;
    if (!closing && (name == "script" || name == "style" || name == "head" || name == "title" ||
                     name == "noscript" || name == "template" || name == "svg")) {
      // Invisible content: skip to the matching end tag.
      const std::string lower = to_lower(html.substr(after));
      const auto end = lower.find("</" + name);
      if (end == std::string::npos) return html.size();
      const auto gt = html.find('>', after + end);
      return gt == std::string_view::npos ? html.size() : gt + 1;
    }
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      flush();
      heading_ = closing ? 0 : name[1] - '0';
    } else if (name == "li") {
      flush();
      list_item_ = !closing;
    } else if (name == "br") {
      cur_ += '\n';
    } else if (is_block_tag(name)) {
      flush();
    } else if (name == "td" || name == "th") {
      text(" ");
    }
    return after;
  }

  void text(std::string_view s) {
    for (char c : s) {
      if (is_space(c)) {
        if (!cur_.empty() && cur_.back() != ' ' && cur_.back() != '\n') cur_ += ' ';
      } else {
        cur_ += c;
      }
    }
  }

  void flush() {
    std::string t;  // trimmed, spaces next to line breaks dropped
    for (char c : cur_) {
      if (c == '\n') {
        while (!t.empty() && t.back() == ' ') t.pop_back();
        if (!t.empty() && t.back() != '\n') t += '\n';
      } else if (c == ' ' && (t.empty() || t.back() == '\n')) {
        continue;
      } else {
        t += c;
      }
    }
    cur_.clear();
    t = trim(t);
    if (t.empty()) return;
    if (heading_ > 0) {
      std::replace(t.begin(), t.end(), '\n', ' ');
      blocks_.emplace_back(std::string(static_cast<std::size_t>(heading_), '#') + " " + t, false);
    } else if (list_item_) {
      std::replace(t.begin(), t.end(), '\n', ' ');
      blocks_.emplace_back("- " + t, true);
    } else {
      blocks_.emplace_back(t, false);
    }
  }

  std::string cur_;
  int heading_ = 0;
  bool list_item_ = false;
  std::vector<std::pair<std::string, bool>> blocks_;  // (markdown, is a list item)
};

std::string text_to_markdown(std::string_view text) {
  std::string md, para;
  auto flush = [&] {
    if (para.empty()) return;
    if (!md.empty()) md += "\n\n";
    if (para[0] == '#') md += '\\';  // not a heading
    md += para;
    para.clear();
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string line = trim(text.substr(start, nl - start));
    if (line.empty()) {
      flush();
    } else {
      if (!para.empty()) para += ' ';
      para += line;
    }
    start = nl + 1;
  }
  flush();
  if (!md.empty()) md += "\n";
  return md;
}

}  // namespace

DetailError unprocessable(OJson loc, const std::string& msg, const std::string& type) {
  OJson item;
  item["loc"] = std::move(loc);
  item["msg"] = msg;
  item["type"] = type;
  return DetailError{422, OJson::array({std::move(item)})};
}

DoclingDoc convert_document(const DoclingInput& in) {
  DoclingDoc doc;
  if (!in.url.empty()) {
    std::string path = in.url.substr(0, in.url.find_first_of("?#"));
    const auto scheme = path.find("://");
    if (scheme != std::string::npos) path = path.substr(scheme + 3);
    while (!path.empty() && path.back() == '/') path.pop_back();
    const auto slash = path.rfind('/');
    doc.filename = slash == std::string::npos ? path : path.substr(slash + 1);
    if (doc.filename.empty()) doc.filename = "document";
    doc.mimetype = guess_type(doc.filename);
    doc.hash = fnv1a64(in.url);
    doc.markdown =
        "# Converted from " + in.url + "\n\n(emulator: remote documents are not fetched)\n";
    return doc;
  }
  doc.filename = in.filename.empty() ? "document" : in.filename;
  doc.hash = in.fnv1a64;
  std::string type = base_type(in.content_type);
  if (type.empty() || type == "application/octet-stream") type = guess_type(doc.filename);
  doc.mimetype = type;
  const Kind kind = detect(doc.filename, type);
  if (kind == Kind::other) {
    doc.markdown = "# " + doc.filename + "\n\n(emulator: " + type +
                   " conversion is not simulated; " + std::to_string(in.size) +
                   " bytes received)\n";
    return doc;
  }
  std::string text = in.head;
  const bool partial = in.size > text.size();
  if (partial) trim_partial_utf8(text);
  if (kind == Kind::markdown) {
    doc.markdown = std::move(text);
  } else if (kind == Kind::html) {
    doc.markdown = HtmlToMarkdown().run(text);
  } else {
    doc.markdown = text_to_markdown(text);
  }
  if (partial) {
    if (!doc.markdown.empty() && doc.markdown.back() != '\n') doc.markdown += '\n';
    doc.markdown += "\n(emulator: only the first " + std::to_string(in.head.size()) + " of " +
                    std::to_string(in.size) + " bytes were converted)\n";
  }
  return doc;
}

std::vector<MdBlock> parse_markdown(std::string_view md) {
  std::vector<MdBlock> blocks;
  std::string para;
  bool fenced = false;
  auto flush = [&] {
    while (!para.empty() && para.back() == '\n') para.pop_back();
    if (!para.empty()) blocks.push_back(MdBlock{0, para});
    para.clear();
  };
  std::size_t start = 0;
  while (start < md.size()) {
    auto nl = md.find('\n', start);
    if (nl == std::string_view::npos) nl = md.size();
    std::string line(md.substr(start, nl - start));
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string t = trim(line);
    if (t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0) fenced = !fenced;
    if (fenced || t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0) {
      para += line + "\n";
      continue;
    }
    if (t.empty()) {
      flush();
      continue;
    }
    std::size_t level = 0;
    while (level < t.size() && t[level] == '#') ++level;
    if (level >= 1 && level <= 6 && (level == t.size() || t[level] == ' ')) {
      flush();
      std::string title = trim(t.substr(level));
      while (!title.empty() && title.back() == '#') title.pop_back();
      blocks.push_back(MdBlock{static_cast<int>(level), trim(title)});
      continue;
    }
    para += t + "\n";
  }
  flush();
  return blocks;
}

}  // namespace emu
