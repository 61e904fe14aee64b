#!/usr/bin/env python3
"""GitHub's Markdown structure for documents, as JSON lines: the oracle for designdoc's reader.

Reads JSON lines {"id": ..., "src": "..."} on stdin; for each writes
{"id": ..., "headings": [[line, level, text, anchor], ...], "code": [[line, lang, content], ...]}
with only top-level blocks (not inside lists or block quotes), parsed by cmark-gfm (PyPI
`cmarkgfm`, the C library GitHub renders with). `anchor` is the id GitHub gives the heading
(lowercased text, punctuation dropped, spaces to `-`, `-1`, `-2`... for repeats).
"""
import html
import html.parser
import json
import re
import sys

import cmarkgfm
from cmarkgfm.cmark import Options

OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_SOURCEPOS
CONTAINERS = {"blockquote", "li", "ul", "ol", "table", "details"}


class Structure(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open containers
        self.heading = None  # [line, level, text parts]
        self.code = None  # [line, lang, text parts]
        self.headings = []
        # Every heading's text, nested ones too: GitHub gives ids to all of them with one
        # counter (its table-of-contents filter visits h1-h6 anywhere in the page), so a
        # heading in a quote or list shifts the `-1`, `-2` suffixes of the ones after it.
        self.all_headings = []  # [top level?, text]
        self.open_heading = None  # [top level?, level, text parts]
        self.blocks = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        pos = attrs.get("data-sourcepos")
        if tag in CONTAINERS and pos:
            self.depth += 1
        if re.fullmatch(r"h[1-6]", tag) and self.open_heading is None:
            self.open_heading = [self.depth == 0, int(tag[1]), []]
        if self.depth or not pos:
            return
        line = int(pos.split(":")[0])
        if re.fullmatch(r"h[1-6]", tag):
            self.heading = [line, int(tag[1]), []]
        elif tag == "pre":
            self.code = [line, attrs.get("lang", ""), []]

    def handle_endtag(self, tag):
        if tag in CONTAINERS and self.depth:
            self.depth -= 1
        if self.open_heading and re.fullmatch(r"h[1-6]", tag) and int(tag[1]) == self.open_heading[1]:
            self.all_headings.append([self.open_heading[0], "".join(self.open_heading[2]).strip()])
            self.open_heading = None
        if self.heading and re.fullmatch(r"h[1-6]", tag) and int(tag[1]) == self.heading[1]:
            self.headings.append([self.heading[0], self.heading[1], "".join(self.heading[2]).strip()])
            self.heading = None
        elif self.code and tag == "pre":
            self.blocks.append([self.code[0], self.code[1], "".join(self.code[2])])
            self.code = None

    def handle_data(self, data):
        if self.open_heading:
            self.open_heading[2].append(data)
        if self.heading:
            self.heading[2].append(data)
        elif self.code:
            self.code[2].append(data)


def anchor(text, seen):
    base = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
    n = seen.get(base, 0)
    seen[base] = n + 1
    return base if n == 0 else f"{base}-{n}"


def without_front_matter(src):
    """GitHub shows YAML front matter (`---` on the first line to the next `---` line) as a
    table, not as Markdown: blank it out, keeping line numbers."""
    lines = src.split("\n")
    if lines and lines[0].rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() in ("---", "..."):
                return "\n" * (i + 1) + "\n".join(lines[i + 1 :])
    return src


def structure(src):
    src = without_front_matter(src)
    rendered = cmarkgfm.github_flavored_markdown_to_html(src, options=OPTIONS)
    p = Structure()
    p.feed(rendered)
    p.close()
    seen = {}
    # Anchors over every heading in page order; reported for the top-level ones.
    anchors = [anchor(text, seen) for _, text in p.all_headings]
    top_anchors = [a for (top, _), a in zip(p.all_headings, anchors) if top]
    headings = [[line, level, text, a] for (line, level, text), a in zip(p.headings, top_anchors)]
    return headings, p.blocks


def main():
    for line in sys.stdin:
        try:
            req = json.loads(line)
            headings, code = structure(req["src"])
            out = {"id": req.get("id"), "headings": headings, "code": code}
        except Exception as e:  # one bad input must not stop the run
            out = {"id": None, "error": f"oracle: {e}"}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
