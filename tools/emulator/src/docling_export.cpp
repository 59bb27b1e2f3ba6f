// The export formats of a converted document (JSON, HTML, text, doctags), rendered from its
// Markdown blocks, and the two chunkers.
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "docling.hpp"
#include "textutil.hpp"

namespace emu {
namespace {

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// "- x", "* x", "+ x", "1. x" → the item text; else empty.
std::string list_item(const std::string& line) {
  if (line.size() > 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ')
    return line.substr(2);
  std::size_t i = 0;
  while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
  if (i > 0 && i + 1 < line.size() && line[i] == '.' && line[i + 1] == ' ')
    return line.substr(i + 2);
  return {};
}

// The items of a paragraph made only of list lines; else empty.
std::vector<std::string> list_items(const std::string& para) {
  std::vector<std::string> items;
  for (const std::string& line : split_lines(para)) {
    std::string item = list_item(line);
    if (item.empty()) return {};
    items.push_back(std::move(item));
  }
  return items;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

std::string stem(const std::string& filename) {
  const auto dot = filename.rfind('.');
  return dot == std::string::npos || dot == 0 ? filename : filename.substr(0, dot);
}

// A DoclingDocument-shaped JSON: every block a body-level text item.
OJson json_document(const DoclingDoc& doc, const std::vector<MdBlock>& blocks) {
  OJson texts = OJson::array();
  OJson children = OJson::array();
  auto add = [&](const std::string& label, const std::string& text, int level) {
    const std::string ref = "#/texts/" + std::to_string(texts.size());
    OJson item;
    item["self_ref"] = ref;
    item["parent"] = OJson{{"$ref", "#/body"}};
    item["children"] = OJson::array();
    item["content_layer"] = "body";
    item["label"] = label;
    item["prov"] = OJson::array();
    item["orig"] = text;
    item["text"] = text;
    if (level > 0 && label != "title") item["level"] = level;
    if (label == "list_item") {
      item["enumerated"] = false;
      item["marker"] = "-";
    }
    texts.push_back(std::move(item));
    children.push_back(OJson{{"$ref", ref}});
  };
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const MdBlock& b = blocks[i];
    if (b.level > 0) {
      add(i == 0 && b.level == 1 ? "title" : "section_header", b.text, b.level);
      continue;
    }
    const std::vector<std::string> items = list_items(b.text);
    if (!items.empty()) {
      for (const auto& item : items) add("list_item", item, 0);
    } else {
      add("text", b.text, 0);
    }
  }
  auto root = [](const char* ref, const char* layer, OJson kids) {
    return OJson{{"self_ref", ref},
                 {"children", std::move(kids)},
                 {"content_layer", layer},
                 {"name", "_root_"},
                 {"label", "unspecified"}};
  };
  OJson j;
  j["schema_name"] = "DoclingDocument";
  j["version"] = "1.0.0";
  j["name"] = stem(doc.filename);
  j["origin"] =
      OJson{{"mimetype", doc.mimetype}, {"binary_hash", doc.hash}, {"filename", doc.filename}};
  j["furniture"] = root("#/furniture", "furniture", OJson::array());
  j["body"] = root("#/body", "body", std::move(children));
  j["groups"] = OJson::array();
  j["texts"] = std::move(texts);
  j["pictures"] = OJson::array();
  j["tables"] = OJson::array();
  j["key_value_items"] = OJson::array();
  j["form_items"] = OJson::array();
  j["pages"] = OJson::object();
  return j;
}

// How one markup language writes the block kinds; HTML and doctags differ only in their tags.
struct Markup {
  std::string (*heading_tag)(const MdBlock& block, bool first);
  const char* list_open;
  const char* list_close;
  const char* item_open;
  const char* item_close;
  const char* text_open;
  const char* text_close;
};

std::string render_blocks(const std::vector<MdBlock>& blocks, const Markup& markup) {
  std::string out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const MdBlock& b = blocks[i];
    if (b.level > 0) {
      const std::string tag = markup.heading_tag(b, i == 0);
      out.append("<").append(tag).append(">").append(html_escape(b.text));
      out.append("</").append(tag).append(">\n");
      continue;
    }
    const std::vector<std::string> items = list_items(b.text);
    if (!items.empty()) {
      out += markup.list_open;
      for (const auto& item : items) {
        out.append(markup.item_open).append(html_escape(item)).append(markup.item_close);
      }
      out += markup.list_close;
    } else {
      out.append(markup.text_open)
          .append(html_escape(join(split_lines(b.text), " ")))
          .append(markup.text_close);
    }
  }
  return out;
}

std::string html_document(const DoclingDoc& doc, const std::vector<MdBlock>& blocks) {
  static const Markup kHtml{[](const MdBlock& b, bool) { return "h" + std::to_string(b.level); },
                            "<ul>\n",
                            "</ul>\n",
                            "<li>",
                            "</li>\n",
                            "<p>",
                            "</p>\n"};
  return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"UTF-8\">\n<title>" +
         html_escape(stem(doc.filename)) + "</title>\n</head>\n<body>\n" +
         render_blocks(blocks, kHtml) + "</body>\n</html>\n";
}

std::string text_document(const std::vector<MdBlock>& blocks) {
  std::vector<std::string> parts;
  parts.reserve(blocks.size());
  for (const MdBlock& b : blocks) parts.push_back(b.text);
  std::string text = join(parts, "\n\n");
  return text.empty() ? text : text + "\n";
}

std::string doctags_document(const std::vector<MdBlock>& blocks) {
  static const Markup kDoctags{[](const MdBlock& b, bool first) {
                                 return first && b.level == 1
                                            ? std::string("title")
                                            : "section_header_level_" + std::to_string(b.level);
                               },
                               "<unordered_list>",
                               "</unordered_list>\n",
                               "<list_item>",
                               "</list_item>",
                               "<text>",
                               "</text>\n"};
  return "<doctag>" + render_blocks(blocks, kDoctags) + "</doctag>";
}

// The first n words of text from word `from` on, joined by single spaces.
std::string words_slice(const std::vector<std::string>& words, std::size_t from, std::size_t n) {
  std::string out;
  for (std::size_t i = from; i < words.size() && i < from + n; ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  for (const std::string& token : tokenize(text)) {
    std::size_t a = 0;
    while (a < token.size() && std::isspace(static_cast<unsigned char>(token[a]))) ++a;
    std::size_t b = token.size();
    while (b > a && std::isspace(static_cast<unsigned char>(token[b - 1]))) --b;
    words.push_back(token.substr(a, b - a));
  }
  return words;
}

}  // namespace

OJson export_document(const DoclingDoc& doc, const std::vector<std::string>& formats) {
  auto wants = [&](const char* f) {
    return std::find(formats.begin(), formats.end(), f) != formats.end();
  };
  const std::vector<MdBlock> blocks = parse_markdown(doc.markdown);
  OJson d;
  d["filename"] = doc.filename;
  d["md_content"] = wants("md") ? OJson(doc.markdown) : OJson(nullptr);
  d["json_content"] = wants("json") ? json_document(doc, blocks) : OJson(nullptr);
  d["html_content"] = wants("html") || wants("html_split_page") ? OJson(html_document(doc, blocks))
                                                                : OJson(nullptr);
  d["text_content"] = wants("text") ? OJson(text_document(blocks)) : OJson(nullptr);
  d["doctags_content"] = wants("doctags") ? OJson(doctags_document(blocks)) : OJson(nullptr);
  return d;
}

OJson chunk_document(const DoclingDoc& doc, const ChunkOptions& options) {
  struct Piece {
    std::vector<std::string> headings;
    std::string raw;
  };
  std::vector<Piece> pieces;
  std::vector<std::pair<int, std::string>> path;  // the headings above, outermost first
  const std::size_t max_words =
      static_cast<std::size_t>(std::max<long long>(1, options.max_tokens));
  auto headings = [&path] {
    std::vector<std::string> h;
    h.reserve(path.size());
    for (const auto& p : path) h.push_back(p.second);
    return h;
  };
  for (const MdBlock& b : parse_markdown(doc.markdown)) {
    if (b.level > 0) {
      while (!path.empty() && path.back().first >= b.level) path.pop_back();
      path.emplace_back(b.level, b.text);
      continue;
    }
    Piece piece{headings(), b.text};
    if (options.hierarchical) {
      pieces.push_back(std::move(piece));
      continue;
    }
    // Hybrid: split what is too long, merge small peers under the same headings.
    const std::vector<std::string> words = split_words(b.text);
    if (words.size() > max_words) {
      for (std::size_t from = 0; from < words.size(); from += max_words) {
        pieces.push_back(Piece{piece.headings, words_slice(words, from, max_words)});
      }
      continue;
    }
    if (options.merge_peers && !pieces.empty() && pieces.back().headings == piece.headings &&
        count_words(pieces.back().raw) + words.size() <= max_words) {
      pieces.back().raw += "\n" + b.text;
      continue;
    }
    pieces.push_back(std::move(piece));
  }
  if (pieces.empty() && !path.empty()) {  // headings only: they are the content
    std::vector<std::string> h = headings();
    pieces.push_back(Piece{{}, join(h, "\n")});
  }
  OJson chunks = OJson::array();
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const Piece& p = pieces[i];
    const std::string text = p.headings.empty() ? p.raw : join(p.headings, "\n") + "\n" + p.raw;
    OJson c;
    c["filename"] = doc.filename;
    c["chunk_index"] = i;
    c["text"] = text;
    c["raw_text"] = p.raw;
    c["num_tokens"] = count_words(text);
    c["headings"] = p.headings;
    c["captions"] = OJson::array();
    c["doc_items"] = OJson::array();
    c["page_numbers"] = OJson::array();
    chunks.push_back(std::move(c));
  }
  return chunks;
}

}  // namespace emu
